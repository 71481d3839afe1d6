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

    /// Patches the 32-bit field `offset` bytes after the first `box` four-character code (version-0 boxes).
    func patched(_ bytes: Data, box: String, offset: Int, value: UInt32) throws -> Data {
        var copy = [UInt8](bytes)
        let code = [UInt8](box.utf8)
        let at = try #require((0..<(copy.count - 4)).first { copy[$0..<($0 + 4)].elementsEqual(code) })
        for (index, byte) in withUnsafeBytes(of: value.bigEndian, Array.init).enumerated() { copy[at + offset + index] = byte }
        return Data(copy)
    }

    /// Header fields that lie (issue 15 item 9): an "unknown" movie duration of 0xFFFFFFFF, a movie time
    /// scale of 0, and a track time scale of 0 (FFmpeg reads either as 1) give the streams' duration and
    /// the frames' rate with a warning, where the probe said 4,294,967 s, 3,000 s and 0.002 fps.
    @Test(.needsFFmpeg) func headerFieldsThatLieAreCheckedAgainstTheStreams() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("lying-header")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 3, audio: false)
        let bytes = try Data(contentsOf: good)
        func probe(_ data: Data, _ name: String) throws -> [String: Any] {
            let file = folder.appendingPathComponent(name)
            try data.write(to: file)
            let parsed = try JSONSerialization.jsonObject(with: Data(TestMedia.run(binary, ["probe", file.path, "--json"]).stdout.utf8))
            return try #require((parsed as? [[String: Any]])?.first)
        }
        let clean = try probe(bytes, "clean.mp4")
        let cleanDuration = try #require(clean["duration_sec"] as? Double)
        let cleanFPS = try #require((clean["video"] as? [String: Any])?["fps"] as? Double)
        #expect((clean["warnings"] as? [String])?.isEmpty ?? true)
        // mvhd (version 0): version+flags, creation, modification, time scale (+12), duration (+16), after the code.
        for (name, data) in [("unknown-duration.mp4", try patched(bytes, box: "mvhd", offset: 4 + 16, value: 0xFFFF_FFFF)),
                             ("movie-timescale-0.mp4", try patched(bytes, box: "mvhd", offset: 4 + 12, value: 0))] {
            let document = try probe(data, name)
            #expect(abs((document["duration_sec"] as? Double ?? 0) - cleanDuration) < 0.05, "\(name): \(document["duration_sec"] ?? "nil")")
            #expect((document["warnings"] as? [String])?.contains { $0.hasPrefix("the header claims") } == true, "\(name)")
        }
        // mdhd: the track's time scale. With B-frames FFmpeg still lists every frame, and the rate is measured
        // from them; without, the edit list (in the movie's time scale) leaves one, and a warning is all there is.
        let withBFrames = try TestMedia.makeClip(at: folder.appendingPathComponent("bframes.mp4"), seconds: 3, audio: false,
                                                 codec: ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"])
        let track = try probe(try patched(try Data(contentsOf: withBFrames), box: "mdhd", offset: 4 + 12, value: 0), "track-timescale-0.mp4")
        let fps = try #require((track["video"] as? [String: Any])?["fps"] as? Double)
        #expect(abs(fps - cleanFPS) < 0.5, "\(fps) fps")
        #expect((track["warnings"] as? [String])?.contains { $0.contains("the track's timing is damaged") } == true)
        // segments says the same rate, and says why (it said 0.002 fps over 512 s).
        let analysed = try JSONSerialization.jsonObject(with: Data(TestMedia.run(
            binary, ["segments", folder.appendingPathComponent("track-timescale-0.mp4").path, "--json"]).stdout.utf8)) as? [String: Any]
        #expect(abs((analysed?["fps"] as? Double ?? 0) - fps) < 0.01, "\(analysed?["fps"] ?? "nil") fps")
        #expect((analysed?["duration_sec"] as? Double ?? .infinity) <= (track["duration_sec"] as? Double ?? 0) + 0.05)
        #expect((analysed?["warnings"] as? [String])?.contains { $0.contains("the track's timing is damaged") } == true,
                "\(analysed?["warnings"] ?? "none")")
        let oneFrame = try probe(try patched(bytes, box: "mdhd", offset: 4 + 12, value: 0), "track-timescale-0-one-frame.mp4")
        #expect((oneFrame["warnings"] as? [String])?.contains { $0.contains("is implausible: the track's timing is damaged") } == true,
                "\(oneFrame["warnings"] ?? "none")")
    }
}
