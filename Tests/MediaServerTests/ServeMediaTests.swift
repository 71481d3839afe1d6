import Foundation
import MediaTestSupport
import Testing

/// Media by content hash: ranges, ETag, caching, and no way from a request path to any other file.
@Suite(.serialized, .needsFFmpeg)
struct ServeMediaTests {
    let fixture: ServeFixture
    let server: ServeProcess

    init() throws {
        fixture = try ServeFixture.library()
        server = try ServeProcess(library: fixture.library)
    }

    func get(_ path: String, headers: [String: String] = [:], method: String = "GET") throws -> HTTPExchange {
        try HTTPExchange.send(server.baseURL + path, method: method, headers: headers)
    }

    @Test func rangesAreTheFilesBytes() throws {
        defer { server.stop() }
        let file = try Data(contentsOf: fixture.story.file)
        let path = "/media/\(fixture.story.sha256)"
        let whole = try get(path)
        #expect(whole.status == 200)
        #expect(whole.body == file)
        #expect(whole.headers["etag"] == "\"\(fixture.story.sha256)\"")
        #expect(whole.headers["accept-ranges"] == "bytes")
        #expect(whole.headers["content-type"] == "video/mp4")
        #expect(whole.headers["cache-control"]?.contains("immutable") == true)

        let middle = try get(path, headers: ["Range": "bytes=100-1099"])
        #expect(middle.status == 206)
        #expect(middle.body == file.subdata(in: 100..<1100))
        #expect(middle.headers["content-range"] == "bytes 100-1099/\(file.count)")
        #expect(middle.headers["content-length"] == "1000")

        let tail = try get(path, headers: ["Range": "bytes=-500"])
        #expect(tail.status == 206)
        #expect(tail.body == file.suffix(500))
        #expect(tail.headers["content-range"] == "bytes \(file.count - 500)-\(file.count - 1)/\(file.count)")

        let open = try get(path, headers: ["Range": "bytes=\(file.count - 10)-"])
        #expect(open.body == file.suffix(10))
        let past = try get(path, headers: ["Range": "bytes=0-99999999"])
        #expect(past.status == 206)
        #expect(past.body == file)

        let outside = try get(path, headers: ["Range": "bytes=\(file.count)-"])
        #expect(outside.status == 416)
        #expect(outside.headers["content-range"] == "bytes */\(file.count)")

        let cached = try get(path, headers: ["If-None-Match": "\"\(fixture.story.sha256)\""])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        let stale = try get(path, headers: ["Range": "bytes=0-9", "If-Range": "\"something else\""])
        #expect(stale.status == 200, "If-Range with another tag gets the whole file")

        let head = try get(path, method: "HEAD")
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "\(file.count)")

        let poster = try get("\(path)/poster.jpg")
        #expect(poster.status == 200)
        #expect(poster.headers["content-type"] == "image/jpeg")
        #expect(poster.body.prefix(2) == Data([0xFF, 0xD8]))
        let keyframe = try get("\(path)/keyframes/0.jpg")
        #expect(keyframe.status == 200)
        #expect(keyframe.body.prefix(2) == Data([0xFF, 0xD8]))
        let storyboard = try get("\(path)/storyboard.jpg")
        #expect(storyboard.status == 200, "\(storyboard.text.prefix(300))")
        #expect(storyboard.body.prefix(2) == Data([0xFF, 0xD8]))
        #expect(try get("\(path)/keyframes/999.jpg").status == 404)
    }

    /// Media bodies leave by `sendfile(2)` (the response names the file in an internal field that the
    /// connection's handler takes off): responses in a row on one kept-alive connection each carry exactly
    /// their bytes, from a store whose path has to be percent-encoded to travel in that field; a file cut
    /// short after it was served fails the request at once (no waiting for bytes that are not there), and
    /// a file gone from the store is a 404, not a head promising bytes that never come.
    @Test func bodiesAreSentFromAnAwkwardlyNamedStoreOnOneConnection() throws {
        server.stop()
        let folder = try TestMedia.makeTemporaryDirectory("sendfile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("a library ü 100%\nsecond line")  // a field value cannot carry any of it raw
        let source = fixture.story.file
        _ = try TestMedia.run(TestMedia.cliExecutable.path, ["ingest", "--library", library.path, source.path, "--quiet"])
        let own = try ServeProcess(library: library)
        defer { own.stop() }
        let url = own.baseURL + "/media/\(fixture.story.sha256)"
        let outputs = (0..<3).map { folder.appendingPathComponent("body-\($0)") }
        let transfers = try TestMedia.run("curl", [
            "-sS", "--max-time", "30", "-w", "%{http_code}:%{num_connects} ", "-o", outputs[0].path, url, "--next",
            "-sS", "--max-time", "30", "-w", "%{http_code}:%{num_connects} ", "-H", "Range: bytes=100-1099", "-o", outputs[1].path, url, "--next",
            "-sS", "--max-time", "30", "-w", "%{http_code}:%{num_connects}", "-o", outputs[2].path, url,
        ])
        #expect(transfers.stdout == "200:1 206:0 200:0", "one connection, three answers: \(transfers.stdout)")
        let file = try Data(contentsOf: source)
        #expect(try Data(contentsOf: outputs[0]) == file)
        #expect(try Data(contentsOf: outputs[1]) == file.subdata(in: 100..<1100))
        #expect(try Data(contentsOf: outputs[2]) == file)

        let stored = try #require(FileManager.default.subpaths(atPath: library.path)?
            .map { library.appendingPathComponent($0) }
            .first { $0.pathExtension == "mp4" && (try? Data(contentsOf: $0)) == file })
        // Cut short under the server (which knows the old size): the connection closes at once rather than
        // wait for bytes that are no longer there.
        try file.prefix(500).write(to: stored)
        let started = Date()
        let short = try TestMedia.run("curl", ["-sS", "--max-time", "20", "-H", "Range: bytes=100-1099", "-o", "/dev/null", url],
                                      allowFailure: true)
        #expect(short.status != 0, "a response promising bytes the file no longer has must not complete")
        #expect(Date().timeIntervalSince(started) < 10)
        try FileManager.default.removeItem(at: stored)
        let gone = try HTTPExchange.send(url, headers: ["Range": "bytes=0-99"])
        #expect(gone.status == 404, "\(gone.status) \(gone.text.prefix(200))")
    }

    /// A file the server has resolved is answered on the connection's event loop, without the router
    /// (``DirectMediaHandler``): answers still leave in the order the requests came when the one before is
    /// with the router (pipelined on one connection), HEAD, ranges and the router's own answers (416, a
    /// file gone) stay what they were, and every answer is in the access log.
    @Test func resolvedMediaIsAnsweredInOrderBesideTheRouter() throws {
        defer { server.stop() }
        let sha = fixture.story.sha256
        let file = try Data(contentsOf: fixture.story.file)
        #expect(try get("/media/\(sha)", headers: ["Range": "bytes=0-9"]).status == 206)  // resolved from now on
        let media = "GET /media/\(sha) HTTP/1.1\r\nHost: x\r\nRange: bytes=100-1099\r\n\r\n"
        let answers = try HTTPExchange.pipelined(port: server.port, [
            "GET /api/v1/assets?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n",  // the router's, from the library's threads
            media,
            "HEAD /media/\(sha) HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /media/\(sha)?player=1 HTTP/1.1\r\nHost: x\r\nRange: bytes=-10\r\n\r\n",
            "GET /media/\(sha) HTTP/1.1\r\nHost: x\r\nRange: bytes=\(file.count)-\r\n\r\n",
            "GET /api/v1/assets/\(fixture.story.id) HTTP/1.1\r\nHost: x\r\n\r\n",
            media,
            "GET /media/\(sha) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ])
        #expect(answers.map(\.status) == [200, 206, 200, 206, 416, 200, 206, 200])
        try #require(answers.count == 8)
        #expect(answers[0].headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(answers[1].body == file.subdata(in: 100..<1100))
        #expect(answers[1].headers["content-range"] == "bytes 100-1099/\(file.count)")
        #expect(answers[1].headers["date"]?.hasSuffix(" GMT") == true && answers[1].headers["server"] == "pixsim-media")
        #expect(answers[1].headers["x-pixsim-sendfile"] == nil)
        #expect(answers[2].headers["content-length"] == "\(file.count)")
        #expect(answers[3].body == file.suffix(10))
        #expect(answers[4].headers["content-range"] == "bytes */\(file.count)")
        #expect(answers[5].text.contains(sha))
        #expect(answers[6].body == file.subdata(in: 100..<1100))
        #expect(answers[7].body == file)
        usleep(600_000)  // the access log is written every quarter second
        let logged = server.logText.components(separatedBy: "\n").filter { $0.contains("GET /media/\(sha)") || $0.contains("HEAD /media/\(sha)") }
        #expect(logged.count == 7, "\(logged.joined(separator: "\n"))")
        #expect(logged.contains { $0.contains("status=416") } && logged.contains { $0.contains("HEAD /media/") })
    }

    /// `--accel-redirect PREFIX` (behind nginx): a media answer names the stored file inside the file
    /// store for nginx's internal location to send, with our headers and no body; 304 and 404 stay ours.
    @Test func behindNginxMediaIsAnInternalRedirectToTheStoredFile() throws {
        server.stop()
        let accel = try ServeProcess(library: fixture.library, extra: ["--accel-redirect", "/internal-files"])
        defer { accel.stop() }
        let sha = fixture.story.sha256
        let answer = try HTTPExchange.send(accel.baseURL + "/media/\(sha)", headers: ["Range": "bytes=100-1099"])
        #expect(answer.status == 200 && answer.body.isEmpty)
        // Asked again (now answered without the router): the same, with its empty body said, not chunked
        // (nginx keeps its connections to us open only for answers of a known length).
        let again = try HTTPExchange.send(accel.baseURL + "/media/\(sha)", headers: ["Range": "bytes=100-1099"])
        #expect(again.status == 200 && again.body.isEmpty && again.headers["x-accel-redirect"] == answer.headers["x-accel-redirect"])
        #expect(again.headers["content-length"] == "0" && again.headers["transfer-encoding"] == nil, "\(again.headers)")
        #expect(answer.headers["etag"] == "\"\(sha)\"" && answer.headers["content-type"] == "video/mp4")
        let location = try #require(answer.headers["x-accel-redirect"], "\(answer.headers)")
        #expect(location.hasPrefix("/internal-files/files/"), "\(location)")
        let stored = fixture.library.appendingPathComponent(String(location.dropFirst("/internal-files/".count)))
        #expect(try Data(contentsOf: stored) == Data(contentsOf: fixture.story.file))
        let cached = try HTTPExchange.send(accel.baseURL + "/media/\(sha)", headers: ["If-None-Match": "\"\(sha)\""])
        #expect(cached.status == 304 && cached.headers["x-accel-redirect"] == nil)
        let unknown = try HTTPExchange.send(accel.baseURL + "/media/" + String(repeating: "0", count: 64))
        #expect(unknown.status == 404 && unknown.headers["x-accel-redirect"] == nil)
    }

    @Test func requestPathsNeverReachOtherFiles() throws {
        defer { server.stop() }
        let attempts = [
            "/media/../../etc/passwd",
            "/media/..%2F..%2Fetc%2Fpasswd",
            "/media/%2e%2e/%2e%2e/etc/passwd",
            "/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/media/\(fixture.story.sha256)/..%2F..%2F..%2Flibrary.sqlite",
            "/media/\(fixture.story.sha256)/keyframes/..%2F..%2F..%2Flibrary.sqlite",
            "/media/\(fixture.story.sha256)/keyframes/-1.jpg",
            "/media/\(fixture.story.sha256.uppercased())",
            "/media/\(fixture.story.sha256.prefix(63))",
            "/media/\(fixture.story.sha256)x",
            "/static/..%2F..%2FPackage.swift",
            "/static/../../../../etc/passwd",
            "/media/%00",
        ]
        for path in attempts {
            let answer = try get(path)
            #expect([400, 404].contains(answer.status), "\(path): \(answer.status)")
            #expect(!answer.text.contains("root:"), "\(path)")
            #expect(!answer.text.contains("SQLite format"), "\(path)")
        }
        #expect(try get("/media/\(String(repeating: "0", count: 64))").status == 404)
    }
}

/// The pages: what they show, escaped, and the token a non-loopback bind requires.
@Suite(.serialized, .needsFFmpeg)
struct ServePageTests {
    @Test func pagesShowTheLibraryEscaped() throws {
        let fixture = try ServeFixture.library()
        let server = try ServeProcess(library: fixture.library)
        defer { server.stop() }
        let index = try HTTPExchange.send(server.baseURL + "/")
        #expect(index.status == 200)
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(index.text.contains("&lt;img src=x onerror=alert(1)&gt;.mp4"))
        #expect(!index.text.contains("<img src=x"))
        for id in [fixture.story.id, fixture.left.id, fixture.hostile.id] { #expect(index.text.contains("data-asset=\"\(id)\"")) }

        let hostile = try HTTPExchange.send(server.baseURL + "/assets/\(fixture.hostile.id)")
        #expect(hostile.status == 200)
        #expect(!hostile.text.contains("<img src=x"))
        #expect(hostile.text.contains("&lt;img src=x onerror=alert(1)&gt;"))

        let story = try HTTPExchange.send(server.baseURL + "/assets/\(fixture.story.id)").text
        let segments = try HTTPExchange.send(server.baseURL + "/api/v1/assets/\(fixture.story.id)/segments").object()["segments"] as? [Any] ?? []
        #expect(story.components(separatedBy: "data-segment=\"").count - 1 == segments.count)
        #expect(story.contains("<video id=\"player\""))
        #expect(story.contains("/media/\(fixture.story.sha256)#t=0.500,2.500"), "the clip plays as its range")
        #expect(story.contains("href=\"/branches/\(fixture.branchID)\""))
        let middle = try HTTPExchange.send(server.baseURL + "/assets/\(fixture.clip.id)").text
        for id in [fixture.story.id, fixture.clip.id, fixture.grandchild.id] { #expect(middle.contains("data-asset=\"\(id)\""), "node \(id)") }
        #expect(middle.contains("source · clip · 0.50–2.50 s") || middle.contains("· clip ·"), "edge labels name role and operation")

        let branch = try HTTPExchange.send(server.baseURL + "/branches/\(fixture.branchID)").text
        #expect(branch.contains("data-variant=\"left\""))
        #expect(branch.contains("data-variant=\"right\""))
        #expect(branch.contains("data-branch-time=\"1.500\""))

        let missing = try HTTPExchange.send(server.baseURL + "/assets/999999")
        #expect(missing.status == 404)
        #expect(missing.headers["content-type"] == "text/html; charset=utf-8")
        let css = try HTTPExchange.send(server.baseURL + "/static/site.css")
        #expect(css.status == 200)
        #expect(css.headers["content-type"]?.hasPrefix("text/css") == true)
    }

    @Test func templatesNeverSkipEscaping() throws {
        let folder = TestMedia.packageRoot.appendingPathComponent("Sources/MediaServer/Resources/templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(names.count >= 5)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) outputs unescaped text")
        }
    }

    @Test func aNonLoopbackBindNeedsItsToken() throws {
        let fixture = try ServeFixture.library()
        let refused = try TestMedia.run(TestMedia.cliExecutable.path, ["serve", "--bind", "0.0.0.0:0"] + fixture.libraryArguments,
                                        allowFailure: true)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--token"))
        let token = "s3cret-token-for-tests"
        let server = try ServeProcess(library: fixture.library, bind: "0.0.0.0:0", extra: ["--token", token])
        defer { server.stop() }
        for path in ["/api/v1/assets", "/", "/media/\(fixture.story.sha256)"] {
            let bare = try HTTPExchange.send(server.baseURL + path)
            #expect(bare.status == 401, "\(path)")
            #expect(bare.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            #expect((try bare.object()["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            #expect(try HTTPExchange.send(server.baseURL + path, headers: ["Authorization": "Bearer wrong-token-for-tests"]).status == 401)
            #expect(try HTTPExchange.send(server.baseURL + path, headers: ["Authorization": "Basic \(token)"]).status == 401)
            #expect(try HTTPExchange.send(server.baseURL + path, headers: ["Authorization": "Bearer \(token)"]).status == 200, "\(path)")
        }
        // Once the media file is resolved it is answered without the router: still not without the token.
        let media = server.baseURL + "/media/\(fixture.story.sha256)"
        #expect(try HTTPExchange.send(media).status == 401)
        #expect(try HTTPExchange.send(media, headers: ["Authorization": "Bearer wrong-token-for-tests"]).status == 401)
        #expect(try HTTPExchange.send(media, headers: ["Authorization": "Bearer \(token)", "Range": "bytes=0-9"]).status == 206)
        let viaEnvironment = try ServeProcess(library: fixture.library, bind: "0.0.0.0:0", environment: ["PIXSIM_SERVE_TOKEN": token])
        defer { viaEnvironment.stop() }
        #expect(try HTTPExchange.send(viaEnvironment.baseURL + "/api/v1/assets").status == 401)
        #expect(try HTTPExchange.send(viaEnvironment.baseURL + "/api/v1/assets", headers: ["Authorization": "Bearer \(token)"]).status == 200)
    }
}
