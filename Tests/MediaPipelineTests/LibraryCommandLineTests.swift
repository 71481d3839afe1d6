import Foundation
import MediaTestSupport
import Testing

/// The library commands as a user runs them: JSON shapes of SPEC section 4,
/// one-line errors and exit statuses.
@Suite struct LibraryCommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsFFmpeg) func ingestAssetsLineageAndErrors() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("lib").path
        let parent = try PipelineFixture.makeClip(folder.appendingPathComponent("parent.mp4"), seed: 31)
        let child = try PipelineFixture.makeClip(folder.appendingPathComponent("child.mp4"), seed: 32)
        let manifest = folder.appendingPathComponent("gen.json")
        try Data("""
            {"provider_id": "pixverse", "provider_job_id": "cli-1", "operation_type": "video_extend",
             "result": {"path": "child.mp4"}, "parents": [{"path": "parent.mp4", "role": "source_video", "end_time": 1}]}
            """.utf8).write(to: manifest)

        let ingest = try json(TestMedia.run(binary, ["ingest", "--library", library, "--manifest", manifest.path, "--stages", "probe", "--json"]).stdout)
        #expect(ingest["processed"] as? Int == 1 && ingest["failed"] as? Int == 0)
        let item = try #require((ingest["items"] as? [[String: Any]])?.first)
        let childID = try #require(item["asset_id"] as? Int)
        #expect(item["sha256"] as? String == (try PipelineFixture.sha256(child)))
        #expect(item.keys.contains("error"))

        let lineage = try json(TestMedia.run(binary, ["lineage", "--library", library, "\(childID)", "--json"]).stdout)
        #expect(lineage["direction"] as? String == "ancestors")
        let nodes = try #require(lineage["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["depth"] as? Int } == [0, 1])
        #expect(nodes.last?["sha256"] as? String == (try PipelineFixture.sha256(parent)))
        let edge = try #require((lineage["edges"] as? [[String: Any]])?.first)
        #expect(edge["parent_role"] as? String == "source_video" && edge["operation_type"] as? String == "video_extend")
        #expect(edge["child_asset_id"] as? Int == childID)

        let dot = try TestMedia.run(binary, ["lineage", "--library", library, "\(childID)", "--format", "dot"]).stdout
        #expect(dot.hasPrefix("digraph lineage {") && dot.contains("-> a\(childID)"))
        let tree = try TestMedia.run(binary, ["lineage", "--library", library, String(item["sha256"] as? String ?? "").prefix(10).description]).stdout
        #expect(tree.contains("source_video / video_extend") && tree.contains("parent.mp4"))

        let show = try json(TestMedia.run(binary, ["assets", "show", "--library", library, "\(childID)", "--json"]).stdout)
        #expect((show["asset"] as? [String: Any])?["source_generation_id"] != nil)
        #expect((show["parents"] as? [[String: Any]])?.count == 1)
        let list = try TestMedia.run(binary, ["assets", "list", "--library", library, "--json", "--type", "video"]).stdout
        #expect((try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])?.count == 2)

        // Errors: one line naming the input, exit 1; usage errors exit 64.
        let missing = try TestMedia.run(binary, ["assets", "show", "--library", library, "4242"], allowFailure: true)
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: 4242: no asset with id 4242 in the library\n")
        let noHashes = try TestMedia.run(binary, ["match", "--library", library, "\(childID)", "--json"], allowFailure: true)
        #expect(noHashes.status == 1)
        #expect((try json(noHashes.stdout)["error"] as? [String: Any])?["code"] as? String == "not_found")
        let badStage = try TestMedia.run(binary, ["batch", "--library", library, "--stages", "probe,colour", folder.path], allowFailure: true)
        #expect(badStage.status == 64)
        let badClip = try TestMedia.run(binary, ["clips", "create", "--library", library, "\(childID)", "--start", "2", "--end", "1"], allowFailure: true)
        #expect(badClip.status == 64)
    }
}
