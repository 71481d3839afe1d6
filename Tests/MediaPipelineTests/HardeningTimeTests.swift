import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// Issue 15 item 1: every time a user gives is range-checked before any
/// conversion, so an absurd one is one error line, never a crash (SIGILL) or a
/// bookmark that cannot be rendered.
@Suite(.serialized, .enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg"))
struct HardeningTimeTests {
    @Test func timeParsingRefusesAbsurdTimes() {
        #expect(TimeParsing.seconds("1e308") == nil)
        #expect(TimeParsing.seconds("1e20") == nil)
        #expect(TimeParsing.seconds("9.3e18") == nil)
        #expect(TimeParsing.seconds("99999999:00:00") == nil)
        #expect(TimeParsing.seconds("1000000") == 1_000_000)
        #expect(TimeParsing.seconds("01:02:03.5") == 3723.5)
        #expect(TimeParsing.isAcceptable(.infinity) == false)
        #expect(TimeParsing.timecode(1e300) == TimeParsing.timecode(TimeParsing.maximumSeconds))
    }

    @Test(arguments: ["1e308", "1e20", "9.3e18"])
    func clipWithAnAbsurdEndIsAUsageError(_ end: String) throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("times")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try PipelineFixture.makeClip(folder.appendingPathComponent("in.mp4"), seed: 1)
        let run = try TestMedia.run(binary, ["clip", source.path, "--start", "0", "--end", end, "-o",
                                             folder.appendingPathComponent("out.mp4").path], allowFailure: true)
        #expect(run.status == 64)
        #expect(run.stderr.contains("--end '\(end)' is not a time"))
        #expect(!run.stderr.contains("Fatal error"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["in.mp4"])
    }

    @Test func clipEndingAfterTheMediaIsOneLine() throws {
        let folder = try TestMedia.makeTemporaryDirectory("times")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try PipelineFixture.makeClip(folder.appendingPathComponent("in.mp4"), seed: 2)
        // Below the parser's limit but far past the media: checked against the media, not converted.
        let error = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: source.path, output: folder.appendingPathComponent("o.mp4").path, start: 0, end: 9.3e18))
        }
        #expect(error?.code == .invalidRange)
        #expect(error?.message.contains("after the end of the media") == true)
    }

    @Test func clipsCreateRefusesAnEndPastTheAssetAndRenderFailureLeavesNoBookmark() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("times")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("lib").path
        let source = try PipelineFixture.makeClip(folder.appendingPathComponent("in.mp4"), seed: 3, seconds: 2)
        _ = try TestMedia.run(binary, ["ingest", "--library", library, source.path, "--stages", "probe"])

        let absurd = try TestMedia.run(binary, ["clips", "create", "--library", library, "1", "--start", "0", "--end", "1e20"],
                                       allowFailure: true)
        #expect(absurd.status == 64 && absurd.stderr.contains("is not a time"))
        let past = try TestMedia.run(binary, ["clips", "create", "--library", library, "1", "--start", "0", "--end", "10", "--render"],
                                     allowFailure: true)
        #expect(past.status == 1)
        #expect(past.stderr.hasPrefix("error: ") && past.stderr.contains("after the asset ends"))
        #expect(past.stderr.split(separator: "\n").count == 1)
        // A render that fails (its stored file and its original are gone) leaves no unrendered bookmark.
        try FileManager.default.removeItem(at: source)
        let files = URL(fileURLWithPath: library).appendingPathComponent("files")
        let stored = try #require(FileManager.default.enumerator(atPath: files.path)?.allObjects as? [String])
        for name in stored where name.hasSuffix(".mp4") { try FileManager.default.removeItem(at: files.appendingPathComponent(name)) }
        let failed = try TestMedia.run(binary, ["clips", "create", "--library", library, "1", "--start", "0", "--end", "1", "--render"],
                                       allowFailure: true)
        #expect(failed.status == 1)
        let list = try TestMedia.run(binary, ["clips", "list", "--library", library, "1", "--json"]).stdout
        #expect((try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [Any])?.isEmpty == true, "\(list)")
        let fine = try TestMedia.run(binary, ["clips", "create", "--library", library, "1", "--start", "0.5", "--end", "2"])
        #expect(fine.status == 0)
    }

    @Test func thumbnailAtAnAbsurdTimeIsAUsageError() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("times")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try PipelineFixture.makeClip(folder.appendingPathComponent("in.mp4"), seed: 4)
        let run = try TestMedia.run(binary, ["thumbnail", source.path, "--at", "1e300", "-o", folder.appendingPathComponent("t.jpg").path],
                                    allowFailure: true)
        #expect(run.status == 64 && run.stderr.contains("--at '1e300' is not a time"))
    }
}

/// Issue 15 item 12: one clear line for each of the wrong messages found.
@Suite(.serialized, .enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg"))
struct HardeningMessageTests {
    @Test func dashNamesNewlinesAndSchemesGetOneClearLine() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("messages")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dash = try PipelineFixture.makeClip(folder.appendingPathComponent("-dash.mp4"), seed: 5)
        let saved = FileManager.default.currentDirectoryPath
        try #require(FileManager.default.changeCurrentDirectoryPath(folder.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(saved) }

        let refused = try TestMedia.run(binary, ["probe", "-dash.mp4"], allowFailure: true)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("error: -dash.mp4: looks like an option") && refused.stderr.contains("probe -- -dash.mp4"))
        #expect(try TestMedia.run(binary, ["probe", "--", "-dash.mp4"]).stdout.hasPrefix("-dash.mp4: video"))
        _ = dash

        let forged = try TestMedia.run(binary, ["probe", "evil\nerror: forged.mp4"], allowFailure: true)
        #expect(forged.stderr == "error: evil\\nerror: forged.mp4: no such file\n")

        let library = folder.appendingPathComponent("lib").path
        let data = try TestMedia.run(binary, ["ingest", "--library", library, "data:video/mp4;base64,AAAA"], allowFailure: true)
        #expect(data.stderr.contains("unsupported URL scheme 'data'"))
        try Data(#"{"provider_id": 5, "operation_type": "upload"}"#.utf8).write(to: folder.appendingPathComponent("m.json"))
        let number = try TestMedia.run(binary, ["ingest", "--library", library, "--manifest", "m.json"], allowFailure: true)
        #expect(number.stderr == "error: m.json: \"provider_id\" must be a string, not 5\n")
        try Data(#"{"provider_id": "p","#.utf8).write(to: folder.appendingPathComponent("bad.json"))
        let invalid = try TestMedia.run(binary, ["ingest", "--library", library, "--manifest", "bad.json"], allowFailure: true)
        #expect(invalid.stderr.hasPrefix("error: bad.json: not valid JSON"))
        let long = String(repeating: "x", count: 900) + ".mp4"
        let capped = try TestMedia.run(binary, ["probe", long], allowFailure: true)
        #expect(capped.stderr.count < 400 && capped.stderr.split(separator: "\n").count == 1)
    }
}
