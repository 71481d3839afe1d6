import Foundation
import MediaTestSupport
import Testing

/// `serve`'s JSON API against a library built by the command line: the documents are the CLI's own.
@Suite(.serialized, .needsFFmpeg)
struct ServeAPITests {
    let fixture: ServeFixture
    let server: ServeProcess

    init() throws {
        fixture = try ServeFixture.library()
        server = try ServeProcess(library: fixture.library)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPExchange {
        try HTTPExchange.send(server.baseURL + path, headers: headers)
    }

    /// The CLI's `--json` document for these arguments, parsed.
    func cli(_ arguments: [String]) throws -> Any {
        let result = try TestMedia.run(TestMedia.cliExecutable.path, arguments + fixture.libraryArguments + ["--json"])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    @Test func assetDocumentsAreTheCommandLinesOwn() throws {
        defer { server.stop() }
        let detail = try get("/api/v1/assets/\(fixture.story.id)")
        #expect(detail.status == 200)
        #expect(detail.headers["content-type"]?.hasPrefix("application/json") == true)
        let shown = try cli(["assets", "show", "\(fixture.story.id)"])
        #expect(NSDictionary(dictionary: try detail.object()).isEqual(to: shown as? [String: Any] ?? [:]))

        let segments = try get("/api/v1/assets/\(fixture.story.id)/segments").object()
        let listed = (shown as? [String: Any])?["segments"] as? [[String: Any]] ?? []
        #expect(listed.count >= 2, "the story has a hard cut")
        #expect((segments["segments"] as? [Any])?.count == listed.count)
        #expect((segments["asset_id"] as? NSNumber)?.int64Value == fixture.story.id)

        let clips = try get("/api/v1/assets/\(fixture.story.id)/clips").json()
        #expect(NSArray(array: clips as? [Any] ?? []).isEqual(to: try cli(["clips", "list", "\(fixture.story.id)"]) as? [Any] ?? ["x"]))
        let branches = try get("/api/v1/assets/\(fixture.story.id)/branches").json()
        #expect(NSArray(array: branches as? [Any] ?? []).isEqual(to: try cli(["branch", "list", "\(fixture.story.id)"]) as? [Any] ?? ["x"]))
        let branch = try get("/api/v1/branches/\(fixture.branchID)").object()
        #expect((branch["variants"] as? [[String: Any]])?.compactMap { $0["variant_tag"] as? String } == ["left", "right"])

        let lineage = try get("/api/v1/assets/\(fixture.clip.id)/lineage?direction=descendants").object()
        let cliLineage = try cli(["lineage", "\(fixture.clip.id)", "--descendants"])
        #expect(NSDictionary(dictionary: lineage).isEqual(to: cliLineage as? [String: Any] ?? [:]))
        #expect(Set((lineage["nodes"] as? [[String: Any]] ?? []).compactMap { ($0["asset_id"] as? NSNumber)?.int64Value })
                == [fixture.clip.id, fixture.grandchild.id])
        let ancestors = try get("/api/v1/assets/\(fixture.clip.id)/lineage").object()
        #expect((ancestors["edges"] as? [[String: Any]])?.first?["parent_asset_id"] as? NSNumber == NSNumber(value: fixture.story.id))

        let match = try get("/api/v1/assets/\(fixture.story.id)/match?max_distance=64").object()
        #expect((match["asset_id"] as? NSNumber)?.int64Value == fixture.story.id)
        #expect(match["candidates"] is [Any])

        // By SHA-256 prefix, as the command line takes it.
        let byHash = try get("/api/v1/assets/\(fixture.left.sha256.prefix(12))").object()
        #expect(((byHash["asset"] as? [String: Any])?["asset_id"] as? NSNumber)?.int64Value == fixture.left.id)
    }

    @Test func assetListPagesFiltersAndSearches() throws {
        defer { server.stop() }
        let all = try cli(["assets", "list"]) as? [[String: Any]] ?? []
        var seen: [Int64] = []
        var next = "/api/v1/assets?limit=2"
        while true {
            let page = try get(next).object()
            let ids = (page["assets"] as? [[String: Any]] ?? []).compactMap { ($0["asset_id"] as? NSNumber)?.int64Value }
            #expect(ids.count <= 2)
            seen += ids
            guard let before = (page["next_before"] as? NSNumber)?.int64Value else {
                #expect(page["next_before"] is NSNull, "the last page says so with null")
                break
            }
            #expect(before == ids.last)
            next = "/api/v1/assets?limit=2&before=\(before)"
        }
        #expect(seen == all.compactMap { ($0["asset_id"] as? NSNumber)?.int64Value }, "pages in order, newest first, nothing twice")
        let first = try get("/api/v1/assets").object()
        #expect(NSArray(array: first["assets"] as? [Any] ?? []).isEqual(to: all))

        let videos = try get("/api/v1/assets?type=video").object()["assets"] as? [[String: Any]] ?? []
        #expect(videos.count == all.count)
        #expect((try get("/api/v1/assets?type=image").object()["assets"] as? [Any])?.isEmpty == true)
        let byHash = try get("/api/v1/assets?q=\(fixture.right.sha256.prefix(9))").object()["assets"] as? [[String: Any]] ?? []
        #expect(byHash.compactMap { ($0["asset_id"] as? NSNumber)?.int64Value } == [fixture.right.id])
        let byName = try get("/api/v1/assets?q=onerror").object()["assets"] as? [[String: Any]] ?? []
        #expect(byName.compactMap { ($0["asset_id"] as? NSNumber)?.int64Value } == [fixture.hostile.id])
        let percent = try get("/api/v1/assets?q=%25").object()["assets"] as? [Any] ?? ["x"]
        #expect(percent.isEmpty, "a % in the search is a character, not a wildcard")
        let rendered = try get("/api/v1/assets?operation=clip").object()["assets"] as? [[String: Any]] ?? []
        #expect(Set(rendered.compactMap { ($0["asset_id"] as? NSNumber)?.int64Value }) == [fixture.clip.id, fixture.grandchild.id])
    }

    @Test func failuresAreJSONWithTheSpecsCodes() throws {
        defer { server.stop() }
        let cases: [(String, Int, String)] = [
            ("/api/v1/assets/999999", 404, "not_found"),
            ("/api/v1/assets/zz", 400, "invalid_argument"),
            ("/api/v1/assets?limit=0", 400, "invalid_argument"),
            ("/api/v1/assets?limit=abc", 400, "invalid_argument"),
            ("/api/v1/assets?type=movie", 400, "invalid_argument"),
            ("/api/v1/assets/1/lineage?direction=sideways", 400, "invalid_argument"),
            ("/api/v1/branches/0", 400, "invalid_argument"),
            ("/api/v1/branches/424242", 404, "not_found"),
            ("/api/v1/jobs", 404, "invalid_argument"),
            ("/api/v1/nothing-here", 404, "not_found"),
        ]
        for (path, status, code) in cases {
            let answer = try get(path)
            #expect(answer.status == status, "\(path)")
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true, "\(path)")
            let error = try answer.object()["error"] as? [String: Any]
            #expect(error?["code"] as? String == code, "\(path): \(answer.text)")
            #expect((error?["message"] as? String)?.isEmpty == false)
        }
        #expect(try get("/api/v1/jobs").text.contains("PostgreSQL"))
    }

    @Test func oversizedAndInvalidIngestBodiesAreRefused() throws {
        defer { server.stop() }
        let huge = Data("{\"url\": \"https://example.invalid/\(String(repeating: "a", count: 2 << 20))\"}".utf8)
        let tooLarge = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST", body: huge)
        #expect(tooLarge.status == 413)
        #expect((try tooLarge.object()["error"] as? [String: Any])?["code"] as? String == "too_large")
        for body in ["not json", "{}", "{\"url\": \"/etc/passwd\"}", "{\"url\": \"file:///etc/passwd\"}", "{\"url\": 3}",
                     "{\"url\": \"https://a.example/x.mp4\", \"manifest\": {}}", "{\"url\": \"https://a.example/x.mp4\", \"extra\": 1}",
                     "{\"manifest\": {\"provider_id\": \"p\", \"operation_type\": \"text_to_video\", \"result\": \"../../etc/passwd\"}}"] {
            let answer = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST", body: Data(body.utf8))
            #expect(answer.status == 400, "\(body): \(answer.text)")
            #expect((try? answer.object()["error"]) != nil, "\(body)")
        }
    }

    @Test func ingestThroughTheAPIRunsThePipelineOnSQLite() throws {
        defer { server.stop() }
        let served = try TestMedia.makeTemporaryDirectory("serve-origin")
        _ = try ServeFixture.makeClip(served.appendingPathComponent("fresh.mp4"), source: "testsrc2", tone: 770)
        let origin = try LoopbackServer(script: """
            import http.server, socketserver, sys, os
            os.chdir(sys.argv[1])
            class Quiet(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *args): pass
            with socketserver.TCPServer(("127.0.0.1", 0), Quiet) as httpd:
                print(httpd.server_address[1], flush=True)
                httpd.serve_forever()
            """, in: served, arguments: [served.path])
        defer { origin.stop() }
        let url = origin.baseURL + "/fresh.mp4"
        // Asked twice before the ingest, so the list is a kept answer: the write must still show at once.
        let before = try get("/api/v1/assets?limit=1").text
        #expect(try get("/api/v1/assets?limit=1").text == before)
        let answer = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST",
                                           body: Data("{\"url\": \"\(url)\", \"stages\": \"probe,thumbnail\"}".utf8))
        #expect(answer.status == 200, "\(answer.text)")
        let document = try answer.object()
        #expect(document["job_id"] is NSNull)
        let id = try #require((document["asset_id"] as? NSNumber)?.int64Value)
        let asset = try get("/api/v1/assets/\(id)").object()["asset"] as? [String: Any]
        #expect(asset?["remote_url"] as? String == url)
        let newest = try get("/api/v1/assets?limit=1").object()["assets"] as? [[String: Any]]
        #expect((newest?.first?["asset_id"] as? NSNumber)?.int64Value == id, "the list shows the ingest, not a kept page")
        #expect(asset?["media_type"] as? String == "video")
        let again = try HTTPExchange.send(server.baseURL + "/api/v1/ingest", method: "POST", body: Data("{\"url\": \"\(url)\"}".utf8)).object()
        #expect((again["asset_id"] as? NSNumber)?.int64Value == id, "the same bytes are the same asset")
    }

    @Test func openAPIDocumentIsServedAndNamesEveryRoute() throws {
        defer { server.stop() }
        let document = try get("/api/v1/openapi.yaml")
        #expect(document.status == 200)
        #expect(document.text.hasPrefix("openapi: 3.1"))
        for path in ["/api/v1/assets:", "/api/v1/assets/{asset}:", "/api/v1/assets/{asset}/segments:", "/api/v1/assets/{asset}/clips:",
                     "/api/v1/assets/{asset}/branches:", "/api/v1/assets/{asset}/lineage:", "/api/v1/assets/{asset}/match:",
                     "/api/v1/branches/{branch}:", "/api/v1/jobs:", "/api/v1/jobs/{job}:", "/api/v1/ingest:"] {
            #expect(document.text.contains("  \(path)\n"), "\(path)")
        }
    }

    @Test func stopsCleanlyOnSIGTERMAndLogsEachRequest() throws {
        _ = try get("/api/v1/assets?limit=1")
        _ = try get("/api/v1/assets/999999")
        #expect(server.stop() == 0)
        let log = server.logText
        #expect(log.contains("GET /api/v1/assets 200"), "\(log)")
        #expect(log.contains("GET /api/v1/assets/999999 404"), "\(log)")
    }
}
