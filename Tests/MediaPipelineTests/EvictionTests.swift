import Foundation
import MediaTestSupport
import Testing

/// `evict` and `sync` (issue 11 item 4): files that can be downloaded again are dropped least recently used
/// first, down to a size; a file with no other source stays; what needs an evicted file downloads it again,
/// checked against its hash.
@Suite(.serialized) struct EvictionTests {
    static let fileServer = #"""
import http.server, sys, functools, threading
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
class Quiet(handler.func):
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Timer(600, server.shutdown).start()
server.serve_forever()
"""#

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsFFmpeg) func leastRecentlyUsedDownloadableFilesGoAndComeBack() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("evict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let served = folder.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let server = try LoopbackServer(script: Self.fileServer, in: folder, arguments: [served.path])
        defer { server.stop() }
        let port = server.port

        let library = ["--library", folder.appendingPathComponent("library").path]
        func ingest(_ source: String) throws -> Int {
            let document = try json(TestMedia.run(binary, ["ingest"] + library + [source, "--stages", "probe", "--json"]).stdout)
            return try #require((document["items"] as? [[String: Any]])?.first?["asset_id"] as? Int)
        }
        // The oldest asset has no URL: it can never be evicted without --force.
        let local = try ingest(try PipelineFixture.makeClip(folder.appendingPathComponent("local.mp4"), seed: 90).path)
        var downloaded: [Int] = []
        for seed in 91...93 {
            try PipelineFixture.makeClip(served.appendingPathComponent("clip\(seed).mp4"), seed: seed)
            downloaded.append(try ingest("http://127.0.0.1:\(port)/clip\(seed).mp4"))
            Thread.sleep(forTimeInterval: 0.05)  // distinct times
        }
        // Using the first downloaded asset makes it the most recently used.
        _ = try TestMedia.run(binary, ["sync"] + library + ["\(downloaded[0])"])
        func show(_ id: Int) throws -> [String: Any] {
            try #require(try json(TestMedia.run(binary, ["assets", "show"] + library + ["\(id)", "--json"]).stdout)["asset"] as? [String: Any])
        }
        let size = try #require(try show(downloaded[0])["file_size_bytes"] as? Int)

        // Keep about two files' worth: the two least recently used downloads go, the local file stays.
        let budget = ["--max-bytes", "\(2 * size + size / 2)"]
        let dry = try json(TestMedia.run(binary, ["evict"] + library + budget + ["--dry-run", "--json"]).stdout)
        let planned = try #require(dry["evicted"] as? [[String: Any]]).compactMap { $0["asset_id"] as? Int }
        #expect(planned == [downloaded[1], downloaded[2]])
        #expect(dry["kept_without_source"] as? Int == 1)
        #expect(try show(downloaded[1])["sync_status"] as? String == "stored", "a dry run changes nothing")

        let run = try json(TestMedia.run(binary, ["evict"] + library + budget + ["--json"]).stdout)
        let evicted = try #require(run["evicted"] as? [[String: Any]])
        #expect(evicted.compactMap { $0["asset_id"] as? Int } == planned)
        #expect(run["freed_bytes"] as? Int == evicted.compactMap { $0["bytes"] as? Int }.reduce(0, +))
        for id in planned {
            let asset = try show(id)
            #expect(asset["sync_status"] as? String == "evicted")
            #expect(!FileManager.default.fileExists(atPath: try #require(asset["local_path"] as? String)))
        }
        #expect(try show(local)["sync_status"] as? String == "stored")
        let text = try TestMedia.run(binary, ["assets", "show"] + library + ["\(planned[0])"]).stdout
        #expect(text.contains("(evicted"))
        // verify: an evicted file is not a missing one.
        #expect(try TestMedia.run(binary, ["verify"] + library, allowFailure: true).status == 0)

        // sync brings one back, with its bytes.
        _ = try TestMedia.run(binary, ["sync"] + library + ["\(planned[0])"])
        let back = try show(planned[0])
        #expect(back["sync_status"] as? String == "stored")
        let path = try #require(back["local_path"] as? String)
        #expect(try PipelineFixture.sha256(URL(fileURLWithPath: path)) == back["sha256"] as? String)
        // A render from an evicted asset downloads it first.
        let clip = try json(TestMedia.run(binary, ["clips", "create"] + library + ["\(planned[1])", "--start", "0", "--end", "0.5", "--render", "--json"]).stdout)
        #expect(clip["clip_id"] != nil || clip["clip"] != nil)
        #expect(try show(planned[1])["sync_status"] as? String == "stored")

        // With the server gone, an evicted file cannot come back: one clear line, nothing changed.
        _ = try TestMedia.run(binary, ["evict"] + library + ["--max-bytes", "0", "--quiet"])
        server.stop()
        let lost = try TestMedia.run(binary, ["sync"] + library + ["\(downloaded[2])"], allowFailure: true)
        // (The downloader's retries are logged as warnings first; the error is the last line.)
        let last = lost.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lost.status == 1 && last.hasPrefix("error: \(downloaded[2]): ") && last.contains("downloading it again"), "\(lost.stderr)")
        #expect(try show(downloaded[2])["sync_status"] as? String == "evicted")
    }
}
