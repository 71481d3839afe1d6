import Foundation
import MediaTestSupport
import Testing

/// The `probe` command line: exit status, error lines, JSON shape (SPEC sections 3, 4, 6).
@Suite("probe command")
struct ProbeCommandTests {
    @Test("many files in one run: one JSON array in input order, errors in place, exit 1", .needsFFmpeg)
    func jsonArrayWithErrors() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try TestMedia.makeClip(at: folder.appendingPathComponent("a.mp4"), seconds: 1)
        let b = try TestMedia.makeClip(at: folder.appendingPathComponent("b.mkv"), seconds: 1, audio: false)
        let missing = folder.appendingPathComponent("missing.mp4").path
        let run = try TestMedia.cli(["probe", "--json", a.path, missing, b.path])
        #expect(run.status == 1)
        #expect(run.stderr == "error: \(missing): no such file\n")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 3)
        #expect(array[0]["path"] as? String == a.path)
        #expect((array[1]["error"] as? [String: Any])?["code"] as? String == "not_found")
        #expect(array[2]["path"] as? String == b.path)
        #expect(array[2]["audio"] is NSNull)
        let video = try #require(array[0]["video"] as? [String: Any])
        for key in ["codec", "profile", "width", "height", "display_width", "display_height", "rotation", "sample_aspect_ratio",
                    "pixel_format", "bit_depth", "fps", "frame_rate_mode", "frame_count", "field_order", "has_b_frames"] {
            #expect(video[key] != nil, "video.\(key) missing")
        }
        for key in ["file_size_bytes", "sha256", "container", "mime_type", "media_type", "duration_sec", "bit_rate", "start_time_sec", "streams", "tags"] {
            #expect(array[0][key] != nil, "\(key) missing")
        }
    }

    @Test("success exits 0 and prints a readable summary", .needsFFmpeg)
    func humanOutput() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try TestMedia.makeClip(at: folder.appendingPathComponent("a.mp4"), seconds: 1)
        let run = try TestMedia.cli(["probe", "--sha256", a.path])
        #expect(run.status == 0)
        #expect(run.stdout.contains("h264") && run.stdout.contains("sha256:"))
        #expect(run.stderr.isEmpty)
    }

    @Test("usage errors exit 64")
    func usage() throws {
        #expect(try TestMedia.cli(["probe"]).status == 64)
        #expect(try TestMedia.cli(["probe", "--no-such-flag", "x"]).status == 64)
    }
}
