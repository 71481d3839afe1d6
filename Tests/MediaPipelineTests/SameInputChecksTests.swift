import Foundation
import MediaTestSupport
import Testing

/// Every command that reads media applies the same input checks as `probe` (SPEC section 6): a file cut short
/// after its index (a faststart MP4 whose download stopped) is refused by each with the same one line, exit 1,
/// and no output, where `thumbnail`, `clip` and the others used to write what the part that is there gave.
@Suite struct SameInputChecksTests {
    @Test(.needsFFmpeg) func everyReadingCommandRefusesAFileCutShort() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("samechecks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 3, extra: ["-movflags", "+faststart"])
        let bytes = try Data(contentsOf: good)
        let cut = folder.appendingPathComponent("cut.mp4")
        try bytes.prefix(bytes.count * 2 / 3).write(to: cut)
        let out = folder.appendingPathComponent("out")
        let commands: [[String]] = [
            ["probe", cut.path],
            ["segments", cut.path],
            ["thumbnail", cut.path, "--at", "0.5", "-o", out.path + ".jpg"],
            ["storyboard", cut.path, "-o", out.path + ".jpg"],
            ["keyframes", cut.path, "--out", out.path],
            ["clip", cut.path, "--start", "0", "--end", "1", "-o", out.path + ".mp4"],
            ["concat", good.path, cut.path, "-o", out.path + ".mp4"],
            ["loops", cut.path],
        ]
        for arguments in commands {
            let result = try TestMedia.run(binary, arguments, allowFailure: true)
            #expect(result.status == 1, "\(arguments[0]) exit status")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: \(cut.path): file is truncated: its index points past the end of the file"),
                    "\(arguments[0]): \(result.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("out") }
            #expect(left.isEmpty, "\(arguments[0]) left \(left)")
        }
        // The whole file is fine for all of them (the check refuses damage, not the format).
        #expect(try TestMedia.run(binary, ["thumbnail", good.path, "--at", "0.5", "-o", out.path + ".jpg"]).status == 0)
    }

    /// Damaged frames (the index intact, bytes inside the media data overwritten) are decoded around, and the
    /// `segments` JSON says so; its rate stays the stream's (probe's), not what survived over the duration.
    @Test(.needsFFmpeg) func segmentsWarnsAboutDamagedData() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 3, extra: ["-movflags", "+faststart"])
        var bytes = [UInt8](try Data(contentsOf: good))
        // Past the front index: overwrite runs of bytes through the second half of the media data.
        for start in stride(from: bytes.count / 2, to: bytes.count - 4096, by: 9000) {
            for index in start..<(start + 600) { bytes[index] = 0xA5 }
        }
        let damaged = folder.appendingPathComponent("damaged.mp4")
        try Data(bytes).write(to: damaged)
        func document(_ arguments: [String]) throws -> [String: Any] {
            let parsed = try JSONSerialization.jsonObject(with: Data(TestMedia.run(binary, arguments).stdout.utf8))
            // (`probe --json` prints a list, one document per file.)
            return try #require((parsed as? [[String: Any]])?.first ?? parsed as? [String: Any])
        }
        let clean = try document(["segments", good.path, "--json"])
        #expect(clean["warnings"] == nil)
        let probe = try document(["probe", damaged.path, "--json"])
        let video = try #require(probe["video"] as? [String: Any])
        let segments = try document(["segments", damaged.path, "--json"])
        let warnings = try #require(segments["warnings"] as? [String])
        #expect(warnings.contains { $0.hasPrefix("damaged data:") }, "\(warnings)")
        #expect(segments["fps"] as? Double == video["fps"] as? Double)
    }
}
