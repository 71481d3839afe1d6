import Foundation
import MediaCore
import MediaPipeline
import MediaTestSupport
import Testing

/// Reading the backend's manifests (SPEC section 3) and finding batch inputs.
@Suite struct GenerationManifestTests {
    func parse(_ json: String, base: URL? = nil) throws -> GenerationManifest {
        try GenerationManifest.parse(Data(json.utf8), subject: "gen.json", baseFolder: base)
    }

    @Test func readsTheSpecExampleAndKeepsUnknownKeys() throws {
        let manifest = try parse("""
            {"provider_id": "pixverse", "provider_job_id": "video_123456", "operation_type": "video_extend",
             "prompt": "continue dancing", "params": {"model": "v5", "quality": "720p", "duration": 5},
             "result": {"url": "https://cdn.example/video.mp4"}, "webhook": "x",
             "parents": [
               {"sha256": "AB12ab12", "role": "source_video", "start_time": 0, "end_time": 10.5},
               {"path": "downloads/ref.png", "role": "source_image", "sequence_order": 0}],
             "submitted_at": "2026-11-20T10:00:00Z", "completed_at": "2026-11-20T10:01:30.250Z"}
            """)
        #expect(manifest.providerID == "pixverse" && manifest.providerJobID == "video_123456")
        #expect(manifest.operationType == "video_extend")
        #expect(manifest.result == "https://cdn.example/video.mp4")
        #expect(manifest.parents.count == 2)
        #expect(manifest.parents[0].reference == .sha256("ab12ab12"))
        #expect(manifest.parents[0].endTime == 10.5)
        #expect(manifest.parents[1].reference == .source("downloads/ref.png"))
        let params = try #require(manifest.paramsJSON)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(params.utf8)) as? [String: Any])
        #expect(object["webhook"] as? String == "x")
        #expect((object["params"] as? [String: Any])?["quality"] as? String == "720p")
        #expect(manifest.submittedAt == ISO8601DateFormatter().date(from: "2026-11-20T10:00:00Z"))
        #expect(manifest.completedAt != nil)
    }

    @Test func prefersTheDownloadedFileAndRemembersTheURL() throws {
        let folder = try TestMedia.makeTemporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0]).write(to: folder.appendingPathComponent("here.mp4"))
        let present = try parse(#"{"provider_id": "p", "operation_type": "upload", "result": {"url": "https://x/a.mp4", "path": "here.mp4"}}"#, base: folder)
        #expect(present.result == "here.mp4")
        #expect(present.resultURL == "https://x/a.mp4")
        let absent = try parse(#"{"provider_id": "p", "operation_type": "upload", "result": {"url": "https://x/a.mp4", "path": "gone.mp4"}}"#, base: folder)
        #expect(absent.result == "https://x/a.mp4")
    }

    @Test(arguments: [
        ("[1, 2]", "not a JSON object"),
        (#"{"operation_type": "upload"}"#, "provider_id"),
        (#"{"provider_id": "p", "operation_type": "teleport"}"#, "unknown operation_type"),
        (#"{"provider_id": "p", "operation_type": "upload", "parents": [{"role": "x"}]}"#, "names no asset_id"),
        (#"{"provider_id": "p", "operation_type": "upload", "parents": [{"sha256": "xyz!"}]}"#, "not hex"),
        (#"{"provider_id": "p", "operation_type": "upload", "submitted_at": "yesterday"}"#, "ISO 8601"),
        (#"{"provider_id": "p", "operation_type": "upload", "result": {}}"#, "neither"),
    ])
    func badManifestsSayWhatIsWrong(json: String, expected: String) {
        do {
            _ = try parse(json)
            Issue.record("accepted a bad manifest: \(json)")
        } catch let error as PipelineError {
            #expect(error.code == .invalidManifest)
            #expect(error.message.contains(expected), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func batchFindsMediaAndManifestsRecursively() throws {
        let folder = try TestMedia.makeTemporaryDirectory("items")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sub = folder.appendingPathComponent("day2")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        for name in ["a.mp4", "day2/b.MOV", "day2/c.png", "notes.txt", ".hidden.mp4"] {
            try Data([1]).write(to: folder.appendingPathComponent(name))
        }
        try Data(#"{"provider_id": "p", "operation_type": "upload"}"#.utf8).write(to: sub.appendingPathComponent("gen.json"))
        try Data(#"{"something": "else"}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        let items = try BatchRunner.items(inFolder: folder.path)
        let processed = items.filter { if case .passedOver = $0 { return false } else { return true } }
        #expect(processed.map { URL(fileURLWithPath: $0.name).lastPathComponent }.sorted() == ["a.mp4", "b.MOV", "c.png", "gen.json"])
        // What is not processed is still an item, reported with its reason (issue 15 item 10).
        let passedOver = items.filter { if case .passedOver = $0 { return true } else { return false } }
        #expect(passedOver.map { URL(fileURLWithPath: $0.name).lastPathComponent }.sorted() == ["config.json", "notes.txt"])
        #expect(items.contains(.manifest(sub.appendingPathComponent("gen.json").path)))

        let list = folder.appendingPathComponent("list.txt")
        try Data("# downloads\na.mp4\n\nhttps://cdn.example/x.mp4\n/abs/y.mp4\n".utf8).write(to: list)
        #expect(try BatchRunner.items(inListFile: list.path) == [
            .media(folder.appendingPathComponent("a.mp4").path), .media("https://cdn.example/x.mp4"), .media("/abs/y.mp4")])
        #expect(throws: PipelineError.self) { try BatchRunner.items(inFolder: folder.appendingPathComponent("nope").path) }
    }
}
