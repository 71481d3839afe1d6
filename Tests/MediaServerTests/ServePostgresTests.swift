import Foundation
import MediaTestSupport
import Testing

/// `serve` on a PostgreSQL library: the asset list and filters from the PostgreSQL engine, and
/// `POST /api/v1/ingest` answered with a job on the queue, which `/api/v1/jobs` then shows.
@Suite(.serialized, .needsFFmpeg)
struct ServePostgresTests {
    @Test func ingestEnqueuesAJobAndTheListPagesFromPostgreSQL() throws {
        let database = try PostgresTestServer.shared()
        let url = try database.createDatabase()
        let folder = try TestMedia.makeTemporaryDirectory("serve-pg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = folder.appendingPathComponent("store")
        let library = ["--library", url, "--files", files.path]
        let first = try ServeFixture.makeClip(folder.appendingPathComponent("first.mp4"), source: "testsrc2", tone: 300)
        let second = try ServeFixture.makeClip(folder.appendingPathComponent("second clip.mp4"), source: "rgbtestsrc", tone: 310)
        try TestMedia.run(TestMedia.cliExecutable.path, ["ingest"] + library + [first.path, second.path, "--stages", "probe,thumbnail"])

        let server = try ServeProcess(arguments: ["serve"] + library)
        defer { server.stop() }
        let page = try HTTPExchange.send(server.baseURL + "/api/v1/assets?limit=1").object()
        let newest = try #require((page["assets"] as? [[String: Any]])?.first)
        #expect((newest["original_path"] as? String)?.hasSuffix("second clip.mp4") == true)
        let before = try #require((page["next_before"] as? NSNumber)?.int64Value)
        let older = try HTTPExchange.send(server.baseURL + "/api/v1/assets?limit=1&before=\(before)").object()
        #expect(((older["assets"] as? [[String: Any]])?.first?["original_path"] as? String)?.hasSuffix("first.mp4") == true)
        #expect(older["next_before"] is NSNull)
        let searched = try HTTPExchange.send(server.baseURL + "/api/v1/assets?q=SECOND%20CLIP").object()["assets"] as? [Any]
        #expect(searched?.count == 1, "search ignores case on PostgreSQL")
        #expect((try HTTPExchange.send(server.baseURL + "/api/v1/assets?q=_").object()["assets"] as? [Any])?.isEmpty == true,
                "an underscore is a character, not a wildcard")
        let index = try HTTPExchange.send(server.baseURL + "/")
        #expect(index.status == 200)
        #expect(index.text.contains("second clip.mp4"))

        let accepted = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST",
                                             body: Data("{\"url\": \"https://media.example/gen/42.mp4\", \"stages\": \"probe\"}".utf8))
        #expect(accepted.status == 202, "\(accepted.text)")
        let answer = try accepted.object()
        let job = try #require((answer["job_id"] as? NSNumber)?.int64Value)
        #expect(answer["enqueued"] as? Bool == true)
        #expect(answer["asset_id"] is NSNull)
        let again = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST",
                                          body: Data("{\"url\": \"https://media.example/gen/42.mp4\", \"stages\": \"probe\"}".utf8)).object()
        #expect((again["job_id"] as? NSNumber)?.int64Value == job, "the same source while unfinished is the same job")
        #expect(again["enqueued"] as? Bool == false)
        let listed = try HTTPExchange.send(server.baseURL + "/api/v1/jobs").object()["jobs"] as? [[String: Any]] ?? []
        #expect(listed.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [job])
        let shown = try HTTPExchange.send(server.baseURL + "/api/v1/jobs/\(job)").object()
        #expect(shown["source"] as? String == "https://media.example/gen/42.mp4")
        #expect(shown["state"] as? String == "queued")
        #expect(try HTTPExchange.send(server.baseURL + "/api/v1/jobs/99999").status == 404)
    }
}
