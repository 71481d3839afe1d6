import Foundation
import MediaLibrary
import MediaCore
import MediaPipeline
import MediaTestSupport
import Testing

/// Downloads from an HTTP server on 127.0.0.1 that the test starts: one good
/// file, one that fails, one that stalls mid-body, one that is not media,
/// one too large, and one that fails once then works (a retry).
@Suite(.serialized) struct DownloadTests {
    /// A small Python HTTP server (loopback only), its routes chosen by path.
    static let serverScript = #"""
import http.server, os, sys, time, threading
root = sys.argv[1]
hits = {}
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def send_bytes(self, data, ctype="video/mp4"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        hits[self.path] = hits.get(self.path, 0) + 1
        if self.path.startswith("/files/"):
            name = os.path.basename(self.path)
            with open(os.path.join(root, name), "rb") as f: self.send_bytes(f.read())
        elif self.path == "/to-file.mp4":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif self.path == "/missing.mp4":
            self.send_error(404)
        elif self.path == "/broken.mp4":
            self.send_error(503)
        elif self.path == "/flaky.mp4":
            if hits[self.path] == 1: self.send_error(500)
            else:
                with open(os.path.join(root, "b.mp4"), "rb") as f: self.send_bytes(f.read())
        elif self.path == "/stall.mp4":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"\0" * 1000)
            self.wfile.flush()
            time.sleep(30)
        elif self.path == "/page.mp4":
            self.send_bytes(b"<html><body>Your video is being generated</body></html>", "text/html")
        elif self.path == "/huge.mp4":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.end_headers()
            chunk = b"\0" * 65536
            try:
                for _ in range(2000): self.wfile.write(chunk)
            except Exception: pass
        else:
            self.send_error(404)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
"""#

    /// Starts the server on files in `root`; returns it and its base URL.
    static func startServer(root: URL) throws -> (LoopbackServer, String) {
        let server = try LoopbackServer(script: serverScript, in: root, arguments: [root.path])
        return (server, server.baseURL)
    }

    @Test(.needsFFmpeg) func downloadsGoodFailsBadAndNeverLeavesHalfFiles() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let served = folder.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let clip = try PipelineFixture.makeClip(served.appendingPathComponent("a.mp4"), seed: 11)
        let second = try PipelineFixture.makeClip(served.appendingPathComponent("b.mp4"), seed: 12)
        let (server, base) = try Self.startServer(root: served)
        defer { server.stop() }

        var runner = PipelineFixture.runner(store)
        runner.downloader = Downloader(stallTimeout: 1.5, totalTimeout: 10, attempts: 2, initialBackoff: 0.1, maximumBytes: 8 << 20)
        let options = PipelineRunner.Options(stages: [.probe])
        func ingest(_ path: String) throws -> IngestOutcome {
            runner.ingest(try MediaSource(base + path), options: options)
        }

        let good = try ingest("/files/a.mp4")
        #expect(good.status == .succeeded)
        let asset = try #require(try store.asset(id: good.assetID ?? -1))
        #expect(asset.sha256 == (try PipelineFixture.sha256(clip)))
        #expect(asset.remoteURL == base + "/files/a.mp4")
        #expect(asset.frameCount == (try TestMedia.packetCount(clip)))

        let missing = try ingest("/missing.mp4")
        #expect(missing.status == .failed)
        #expect(missing.error?.message.contains("HTTP 404") == true)
        // One request was made (a 404 is not retried): the message does not claim more.
        #expect(missing.error?.message.contains("attempts") == false)

        // A redirect to file:// never reads the local file (issue 15 item 4; the rules are in
        // ManifestHardeningTests: Foundation resolves this Location against the server, which says 404).
        let redirected = try ingest("/to-file.mp4")
        #expect(redirected.status == .failed)
        #expect(redirected.assetID == nil)

        let broken = try ingest("/broken.mp4")
        #expect(broken.error?.message.contains("HTTP 503") == true)
        #expect(broken.error?.message.contains("after 2 attempts") == true)

        let started = Date()
        let stalled = try ingest("/stall.mp4")
        #expect(stalled.status == .failed)
        #expect(stalled.error?.message.contains("timed out") == true)
        #expect(Date().timeIntervalSince(started) < 15)

        let page = try ingest("/page.mp4")
        #expect(page.status == .failed)
        #expect(page.error?.code == .notMedia)
        #expect(page.error?.subject == base + "/page.mp4")

        let huge = try ingest("/huge.mp4")
        #expect(huge.error?.code == .tooLarge)

        // A 500 once, then the file: the retry brings it in.
        let flaky = try ingest("/flaky.mp4")
        #expect(flaky.status == .succeeded)
        #expect(flaky.sha256 == (try PipelineFixture.sha256(second)))

        // A URL already synced is not downloaded again.
        #expect(try ingest("/files/a.mp4").status == .skipped)
        #expect(try store.assets().count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path).isEmpty)
        let stored = try FileManager.default.subpathsOfDirectory(atPath: store.files.filesFolder.path).filter { $0.hasSuffix(".mp4") }
        #expect(stored.count == 2)
    }

    @Test func unsupportedSchemesAreRefused() {
        #expect(throws: PipelineError.self) { try MediaSource("ftp://example.com/a.mp4") }
        #expect(throws: PipelineError.self) { try MediaSource("http://") }
        #expect((try? MediaSource("file:///tmp/a.mp4")) == .file(path: "/tmp/a.mp4"))
        #expect((try? MediaSource("clips/a.mp4", relativeTo: URL(fileURLWithPath: "/data"))) == .file(path: "/data/clips/a.mp4"))
    }
}
