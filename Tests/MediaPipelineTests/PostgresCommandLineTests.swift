import Foundation
import MediaTestSupport
import Testing

/// The library commands on a PostgreSQL library (`--library postgres://… --files DIR`):
/// the same documents as on a folder library.
@Suite struct PostgresCommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsFFmpeg)
    func ingestShowClipsBranchLineageAndMatch() throws {
        let binary = try PipelineFixture.executable().path
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let folder = try TestMedia.makeTemporaryDirectory("pgcli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store").path
        let library = ["--library", url, "--files", store]
        let parent = try PipelineFixture.makeClip(folder.appendingPathComponent("parent.mp4"), seed: 41, seconds: 2)
        let child = try PipelineFixture.makeClip(folder.appendingPathComponent("child.mp4"), seed: 42)
        let manifest = folder.appendingPathComponent("gen.json")
        try Data("""
            {"provider_id": "pixverse", "provider_job_id": "pg-1", "operation_type": "video_extend",
             "result": {"path": "child.mp4"}, "parents": [{"path": "parent.mp4", "role": "source_video", "end_time": 1}]}
            """.utf8).write(to: manifest)

        let ingest = try json(TestMedia.run(binary, ["ingest"] + library + ["--manifest", manifest.path, "--stages", "probe,segments", "--json"]).stdout)
        #expect(ingest["processed"] as? Int == 1 && ingest["failed"] as? Int == 0)
        let item = try #require((ingest["items"] as? [[String: Any]])?.first)
        let childID = try #require(item["asset_id"] as? Int)
        #expect(item["sha256"] as? String == (try PipelineFixture.sha256(child)))
        // The stored file is in the shared folder, under its content name.
        let sha = try PipelineFixture.sha256(child)
        #expect(FileManager.default.fileExists(atPath: "\(store)/files/\(sha.prefix(2))/\(sha).mp4"))
        // And the rows are in PostgreSQL (read independently, with psql).
        let database = String(url.split(separator: "/").last!)
        #expect(try server.psql("SELECT count(*) FROM assets", database: database) == "2")
        #expect(try server.psql("SELECT frame_count FROM assets WHERE id = \(childID)", database: database) == "25")

        let show = try json(TestMedia.run(binary, ["assets", "show"] + library + ["\(childID)", "--json"]).stdout)
        #expect((show["asset"] as? [String: Any])?["frame_count"] as? Int == 25)
        #expect((show["parents"] as? [[String: Any]])?.count == 1)

        let lineage = try json(TestMedia.run(binary, ["lineage"] + library + ["\(childID)", "--json"]).stdout)
        let nodes = try #require(lineage["nodes"] as? [[String: Any]])
        let depths: [Int?] = nodes.map { $0["depth"] as? Int }
        #expect(depths == [0, 1])
        let parentSHA = try PipelineFixture.sha256(parent)
        let lastSHA = nodes.last?["sha256"] as? String
        #expect(lastSHA == parentSHA)

        let parentID = try #require(nodes.last?["asset_id"] as? Int)
        _ = try TestMedia.run(binary, ["clips", "create"] + library + ["\(parentID)", "--start", "0.5", "--end", "1.5", "--name", "middle", "--json"])
        let clips = try TestMedia.run(binary, ["clips", "list"] + library + ["\(parentID)", "--json"]).stdout
        let clipList = try #require(try JSONSerialization.jsonObject(with: Data(clips.utf8)) as? [[String: Any]])
        #expect(clipList.count == 1)
        let clipStart = clipList.first?["start_time"] as? Double
        #expect(clipStart == 0.5)

        _ = try TestMedia.run(binary, ["branch", "create"] + library + ["\(parentID)", "--at", "1", "--name", "fork", "--json"])
        let branches = try TestMedia.run(binary, ["branch", "list"] + library + ["\(parentID)", "--json"]).stdout
        #expect(branches.contains("\"fork\""))

        // The ingest ran segments on the child only; run them on the parent, then match.
        _ = try TestMedia.run(binary, ["ingest"] + library + [parent.path, "--stages", "probe,segments", "--json"])
        let match = try json(TestMedia.run(binary, ["match"] + library + ["\(parentID)", "--max-distance", "64", "--json"]).stdout)
        let candidates = try #require(match["candidates"] as? [[String: Any]])
        let candidateIDs: [Int?] = candidates.map { $0["asset_id"] as? Int }
        #expect(candidateIDs == [childID])

        // An unreachable server: one line naming host and port, exit 1, no hang.
        let port = try PostgresTestServer.freePort()
        let down = try TestMedia.run(binary, ["assets", "list", "--library", "postgres://u:pw-secret@127.0.0.1:\(port)/x", "--files", store],
                                     allowFailure: true)
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("error: 127.0.0.1:\(port): cannot connect to PostgreSQL"))
        #expect(down.stderr.split(separator: "\n").count == 1)
        #expect(!down.stderr.contains("pw-secret"))
    }
}
