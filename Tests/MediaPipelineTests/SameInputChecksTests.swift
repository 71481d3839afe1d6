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
}
