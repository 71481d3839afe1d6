import Foundation
import MediaTestSupport
import Testing

/// Issue 15 item 3: `watch` downloading from a server that drips one byte a
/// second stops within a couple of seconds of SIGTERM (it used to wait out
/// the 600 s timeout three times; only SIGKILL stopped it).
@Suite(.serialized)
struct WatchStopDownloadTests {
    static let drippingServer = #"""
import http.server, sys, time, threading
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        print("GET", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"\0"); self.wfile.flush(); time.sleep(1)
        except Exception: pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
"""#

    @Test func sigtermCancelsADrippingDownload() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("drip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try LoopbackServer(script: Self.drippingServer, in: folder)
        defer { server.stop() }
        let port = server.port

        let inbox = folder.appendingPathComponent("inbox")
        let library = folder.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try Data("""
            {"provider_id": "p", "provider_job_id": "drip", "operation_type": "text_to_video",
             "result": {"url": "http://127.0.0.1:\(port)/slow.mp4"}}
            """.utf8).write(to: inbox.appendingPathComponent("gen.json"))
        let helpers = WatchSignalTests()
        let watcher = try helpers.launchWatcher(binary, library: library, inbox: inbox)
        defer { if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL); watcher.waitUntilExit() } }
        // The exit is timed by Foundation's process monitor, not by a poll on the cooperative pool, which a
        // parallel test run can starve for seconds.
        let exit = ExitClock()
        watcher.terminationHandler = { _ in exit.mark() }
        // The server says when the download has started (a request came in): the most direct sign, and
        // one that does not read the library beside the watcher.
        let started = Self.waitForLine("GET", from: server.output, timeout: 120)
        try #require(started, """
            the watcher never started the download (watcher \(watcher.isRunning ? "still running" : "exited with \(watcher.terminationStatus)")); \
            its standard error: \(helpers.watcherErrors(library))
            """)
        try await Task.sleep(for: .seconds(1))
        let signalled = Date()
        kill(watcher.processIdentifier, SIGTERM)
        try await helpers.waitForExit(watcher, timeout: 30)
        let took = (exit.date ?? Date()).timeIntervalSince(signalled)
        #expect(took < 10, "took \(took) s to stop")
        // Stopped, not failed for good: the manifest stays in the inbox for the next run or was filed as failed with the reason.
        let left = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
        let failed = (try? FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("failed").path)) ?? []
        #expect(left.contains("gen.json") || failed.contains("gen.json"))
    }
}

extension WatchStopDownloadTests {
    /// Reads `handle` on a thread of its own until a line equal to `expected` arrives; false after `timeout` seconds.
    static func waitForLine(_ expected: String, from handle: FileHandle, timeout: TimeInterval) -> Bool {
        let seen = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                buffer.append(chunk)
                if String(decoding: buffer, as: UTF8.self).split(separator: "\n").contains(Substring(expected)) {
                    seen.signal()
                    return
                }
            }
        }
        return seen.wait(timeout: .now() + timeout) == .success
    }
}

/// When a process exited, as its termination handler saw it.
private final class ExitClock: @unchecked Sendable {
    // Safe to share: `moment` is only touched under `lock`.
    private let lock = NSLock()
    private var moment: Date?

    func mark() {
        lock.lock()
        moment = moment ?? Date()
        lock.unlock()
    }

    var date: Date? {
        lock.lock()
        defer { lock.unlock() }
        return moment
    }
}
