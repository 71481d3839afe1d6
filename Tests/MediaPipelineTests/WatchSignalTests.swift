import Foundation
import GRDB
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// `watch` interrupted in the middle of an item: SIGINT lets the item finish
/// and the process exit 0; SIGKILL leaves it in the inbox, and a restart finishes it.
@Suite(.serialized) struct WatchSignalTests {
    /// Waits until the library shows a pipeline run in progress (the watcher is mid-item), or `watcher` exits.
    /// The library is read read-only: opening it as a library would take its folder lock and run migrations
    /// beside the watcher, which is not what a test watching from outside should do.
    func waitForRunningItem(_ library: URL, watcher: Process? = nil, timeout: TimeInterval = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let databasePath = library.appendingPathComponent("library.sqlite").path
        while Date() < deadline {
            if Self.runningItems(databasePath) > 0 { return true }
            if let watcher, !watcher.isRunning { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Pipeline runs marked running in the library database at `path` (0 when it cannot be read yet).
    static func runningItems(_ path: String) -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return 0 }
        return (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'running'") ?? 0 }) ?? 0
    }

    /// What the watcher launched for `library` wrote to its standard error (the last 2000 bytes), for failure messages.
    func watcherErrors(_ library: URL) -> String {
        let log = Self.errorLog(for: library)
        guard let data = FileManager.default.contents(atPath: log.path) else { return "(no standard error)" }
        return String(decoding: data.suffix(2000), as: UTF8.self)
    }

    static func errorLog(for library: URL) -> URL {
        library.deletingLastPathComponent().appendingPathComponent(library.lastPathComponent + ".watch-stderr.log")
    }

    /// Waits for `process` to exit; one that has not within `timeout` (a signal it
    /// never acted on) is killed, so the test fails instead of hanging.
    func waitForExit(_ process: Process, timeout: TimeInterval = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            Issue.record("the watcher did not exit within \(Int(timeout)) s of its signal")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    func launchWatcher(_ binary: URL, library: URL, inbox: URL, extraArguments: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["watch", "--library", library.path, "--interval", "0.1"] + extraArguments + [inbox.path]
        let output = Pipe()
        process.standardOutput = output
        // Kept for failure messages (appended across restarts of the same library).
        let log = Self.errorLog(for: library)
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let errors = try FileHandle(forWritingTo: log)
        _ = try errors.seekToEnd()
        process.standardError = errors
        try process.run()
        try errors.close()
        // The watcher says "watching ..." once its signal handlers are in place; a signal
        // sent before that would take the default action and kill it.
        var seen = Data()
        let deadline = Date().addingTimeInterval(20)
        while !String(decoding: seen, as: UTF8.self).contains("watching") && Date() < deadline && process.isRunning {
            seen.append(output.fileHandleForReading.availableData)
        }
        return process
    }

    @Test(.needsFFmpeg) func sigintFinishesTheItemInHandAndSigkillIsRecoveredOnRestart() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("watch-signal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        // Long enough that the poster and keyframes take a while.
        for (name, seed) in [("first.mp4", 41), ("second.mp4", 42)] {
            let staged = folder.appendingPathComponent(name)
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=8",
                                  "-f", "lavfi", "-i", "sine=frequency=\(seed * 10):duration=8",
                                  "-c:v", "libx264", "-preset", "ultrafast", "-g", "240", "-c:a", "aac", "-shortest", staged.path])
        }

        // SIGINT mid-item: the item completes and is filed, the process exits 0.
        let library = folder.appendingPathComponent("library")
        let watcher = try launchWatcher(binary, library: library, inbox: inbox)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("first.mp4"), to: inbox.appendingPathComponent("first.mp4"))
        let sawRunning = try await waitForRunningItem(library)
        kill(watcher.processIdentifier, SIGINT)
        try await waitForExit(watcher)
        #expect(watcher.terminationReason == .exit && watcher.terminationStatus == 0)
        if sawRunning {
            #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/first.mp4").path))
            let store = try SQLiteLibraryStore.open(folder: library)
            #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'succeeded'") ?? 0 } == 1)
            #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'running'") ?? 0 } == 0)
        }

        // SIGKILL mid-item: the file stays in the inbox; a restarted watcher finishes it.
        let killed = try launchWatcher(binary, library: library, inbox: inbox)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("second.mp4"), to: inbox.appendingPathComponent("second.mp4"))
        // If the item finished before it was seen running, there is nothing to interrupt:
        // stop the watcher anyway, so the test never waits on a process that runs forever.
        kill(killed.processIdentifier, try await waitForRunningItem(library) ? SIGKILL : SIGTERM)
        try await waitForExit(killed)
        let restarted = try launchWatcher(binary, library: library, inbox: inbox)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/second.mp4").path) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(restarted.processIdentifier, SIGTERM)
        try await waitForExit(restarted)
        #expect(restarted.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/second.mp4").path))
        let store = try SQLiteLibraryStore.open(folder: library)
        #expect(try store.assets().count == 2)
        let states = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM pipeline_runs GROUP BY status").map { "\($0["status"] as String):\($0["n"] as Int)" }
        }
        #expect(!states.contains { $0.hasPrefix("running") }, "\(states)")
        // What a killed watcher left half-written is recognised as abandoned and swept
        // (the restarted watcher sweeps when it opens the library; sweep again in case the
        // kill landed while that restart was opening it).
        store.files.removeAbandonedTemporaryFiles(withoutMachine: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path).isEmpty)
    }
}
