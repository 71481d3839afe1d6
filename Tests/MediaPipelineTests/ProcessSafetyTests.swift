import Foundation
import GRDB
@testable import MediaLibrary
import MediaPipeline
import MediaTestSupport
import Testing

/// The built `pixsim-media` as a separate process: killed with SIGKILL mid-batch
/// and rerun, two processes on one library, and `watch` stopped with SIGTERM.
@Suite(.serialized) struct ProcessSafetyTests {
    /// `count` distinct clips (same picture, different metadata: different bytes).
    static func makeBatch(_ folder: URL, count: Int) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let base = try PipelineFixture.makeClip(folder.deletingLastPathComponent().appendingPathComponent("base-\(count).mp4"), seed: 0, seconds: 2)
        return try (0..<count).map { index in
            let url = folder.appendingPathComponent(String(format: "clip%03d.mp4", index))
            try TestMedia.ffmpeg(["-i", base.path, "-c", "copy", "-metadata", "title=clip \(index)", url.path])
            return url
        }
    }

    static func launch(_ binary: URL, _ arguments: [String]) throws -> Process {
        try PipelineFixture.launch(binary, arguments)
    }

    /// Checks the library is whole: integrity, one row per content, every stored file complete, no temp files.
    static func checkLibrary(_ libraryFolder: URL, expectedAssets: Int) throws {
        let store = try SQLiteLibraryStore.open(folder: libraryFolder)
        let integrity = try store.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let assets = try store.assets()
        #expect(assets.count == expectedAssets)
        #expect(Set(assets.map(\.sha256)).count == assets.count)
        for asset in assets {
            let path = try #require(asset.localPath)
            #expect(try PipelineFixture.sha256(URL(fileURLWithPath: path)) == asset.sha256)
        }
        let duplicates = try store.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT asset_id, stage, stage_version FROM stage_runs
                WHERE status IN ('succeeded', 'not_applicable') GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)
                """) ?? -1
        }
        #expect(duplicates == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path)
        #expect(leftovers.isEmpty, "\(leftovers)")
        let stored = try FileManager.default.subpathsOfDirectory(atPath: store.files.filesFolder.path)
        #expect(!stored.contains { $0.contains(".partial") })
    }

    @Test(.needsFFmpeg) func killedMidBatchThenRerunFinishesCleanly() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try Self.makeBatch(folder.appendingPathComponent("in"), count: 24)
        let library = folder.appendingPathComponent("library")
        let arguments = ["batch", "--library", library.path, "--jobs", "2", folder.appendingPathComponent("in").path]

        // Kill at several moments; at least one lands mid-batch.
        var killedMidway = 0
        for delay in [0.15, 0.4, 0.8] {
            let process = try Self.launch(binary, arguments)
            try await Task.sleep(for: .seconds(delay))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidway += 1
            }
            process.waitUntilExit()
        }
        // The rerun finishes the job.
        let final = try Self.launch(binary, arguments + ["--json"])
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        try Self.checkLibrary(library, expectedAssets: inputs.count)
        let store = try SQLiteLibraryStore.open(folder: library)
        let interrupted = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'running'") ?? -1
        }
        #expect(interrupted == 0)
        if killedMidway == 0 {
            FileHandle.standardError.write(Data("note: every batch finished before its kill; the kill path was not exercised\n".utf8))
        }
        // A further rerun does nothing new.
        let again = try TestMedia.run(binary.path, arguments + ["--json"])
        let document = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(document?["skipped"] as? Int == inputs.count)
        #expect(document?["succeeded"] as? Int == 0)
    }

    @Test(.needsFFmpeg) func twoProcessesOnOneLibraryBothSucceed() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("two")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try Self.makeBatch(folder.appendingPathComponent("in"), count: 12)
        let library = folder.appendingPathComponent("library")
        let arguments = ["batch", "--library", library.path, "--jobs", "2", folder.appendingPathComponent("in").path]
        let first = try Self.launch(binary, arguments)
        let second = try Self.launch(binary, arguments)
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.terminationStatus == 0)
        try Self.checkLibrary(library, expectedAssets: inputs.count)
    }

    @Test(.needsFFmpeg) func watchProcessesTheInboxAndStopsOnSIGTERM() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("watch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let library = folder.appendingPathComponent("library")
        let watcher = try Self.launch(binary, ["watch", "--library", library.path, "--interval", "0.2", inbox.path])

        // Dropped in while it runs: a bare clip, a manifest with its result, and something that is not media.
        try PipelineFixture.makeClip(folder.appendingPathComponent("bare.mp4"), seed: 21)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("bare.mp4"), to: inbox.appendingPathComponent("bare.mp4"))
        // The result lands before its manifest (it may be filed as bare media first).
        try PipelineFixture.makeClip(folder.appendingPathComponent("result.mp4"), seed: 22)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("result.mp4"), to: inbox.appendingPathComponent("result.mp4"))
        let bareSHA = try PipelineFixture.sha256(inbox.appendingPathComponent("bare.mp4"))
        let manifest: [String: Any] = [
            "provider_id": "pixverse", "provider_job_id": "w-1", "operation_type": "video_extend",
            "result": ["path": "result.mp4"], "parents": [["sha256": bareSHA, "role": "source_video"]]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: folder.appendingPathComponent("gen.json"))
        try FileManager.default.moveItem(at: folder.appendingPathComponent("gen.json"), to: inbox.appendingPathComponent("gen.json"))
        try Data("not a video".utf8).write(to: inbox.appendingPathComponent("junk.mp4"))

        let done = inbox.appendingPathComponent("done"), failed = inbox.appendingPathComponent("failed")
        let deadline = Date().addingTimeInterval(60)
        func filed() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: done.path)) ?? []).count
                + ((try? FileManager.default.contentsOfDirectory(atPath: failed.path)) ?? []).filter { !$0.hasSuffix(".error.txt") }.count
        }
        while filed() < 4 && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        kill(watcher.processIdentifier, SIGTERM)
        watcher.waitUntilExit()
        #expect(watcher.terminationReason == .exit)
        #expect(watcher.terminationStatus == 0)

        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: done.path)) == ["bare.mp4", "gen.json", "result.mp4"])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: failed.path)) == ["junk.mp4", "junk.mp4.error.txt"])
        let reason = try String(contentsOf: failed.appendingPathComponent("junk.mp4.error.txt"), encoding: .utf8)
        #expect(reason.contains("not_media"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.path).sorted() == ["done", "failed"])

        let store = try SQLiteLibraryStore.open(folder: library)
        #expect(try store.assets().count == 2)
        #expect(try store.generationCount() == 1)
        let result = try #require(try store.asset(sha256: try PipelineFixture.sha256(done.appendingPathComponent("result.mp4"))))
        #expect(try store.parentEdges(of: result.assetID).first?.parentRole == "source_video")
    }

    /// A one-shot command stopped by a signal (Ctrl-C; a backend's SIGTERM on a timeout) left its hidden
    /// `.out.partial-…` beside the output until the next run writing that output. It now goes with the
    /// process, which still ends by the signal, and the output is not made.
    @Test(.needsFFmpeg, arguments: [SIGTERM, SIGINT, SIGHUP]) func aStoppedClipTakesItsTemporaryFileWithIt(_ signalNumber: Int32) throws {
        let folder = try TestMedia.makeTemporaryDirectory("stopped")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (clip, outputFolder) = try Self.clipCaughtWriting(in: folder)
        kill(clip.processIdentifier, signalNumber)
        clip.waitUntilExit()
        #expect(clip.terminationReason == .uncaughtSignal)
        #expect(clip.terminationStatus == signalNumber)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputFolder.path) == [])
    }

    /// A command started ignoring hang-ups (`nohup`) keeps ignoring them: the handler above is not put in
    /// their place, and the clip is made.
    @Test(.needsFFmpeg) func aCommandStartedUnderNohupOutlivesAHangUp() throws {
        let folder = try TestMedia.makeTemporaryDirectory("nohup")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (clip, outputFolder) = try Self.clipCaughtWriting(in: folder, under: "/usr/bin/nohup")
        kill(clip.processIdentifier, SIGHUP)
        clip.waitUntilExit()
        #expect(clip.terminationReason == .exit)
        #expect(clip.terminationStatus == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputFolder.path) == ["cut.mp4"])
    }

    /// Starts `clip --mode exact` of a one-minute file (under `launcher`, if given, which must exec the
    /// command in its own process) and returns it once its temporary file exists, with the output's folder.
    /// The wait blocks its thread rather than sleeping as a task: in the whole suite's run, a task's 5 ms
    /// sleep came back seconds later, after the clip had finished (exit 0) unseen. A clip that still
    /// finishes before it is seen writing (a very loaded machine) is started again, twice at most.
    static func clipCaughtWriting(in folder: URL, under launcher: String? = nil) throws -> (Process, URL) {
        let binary = try PipelineFixture.executable()
        let input = try TestMedia.makeClip(at: folder.appendingPathComponent("long.mp4"), seconds: 60, width: 320, height: 240)
        let outputFolder = folder.appendingPathComponent("out")
        let arguments = ["clip", input.path, "--start", "0", "--end", "59", "--mode", "exact", "-o", outputFolder.appendingPathComponent("cut.mp4").path]
        var seen: [String] = []
        for _ in 0..<3 {
            try? FileManager.default.removeItem(at: outputFolder)
            try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
            let clip = try launcher.map { try launch(URL(fileURLWithPath: $0), [binary.path] + arguments) } ?? launch(binary, arguments)
            let deadline = Date().addingTimeInterval(60)
            var temporary: [String] = []
            while temporary.isEmpty && clip.isRunning && Date() < deadline {
                temporary = try FileManager.default.contentsOfDirectory(atPath: outputFolder.path)
                if temporary.isEmpty { usleep(2_000) }
            }
            if temporary.count == 1 && temporary[0].hasPrefix(".cut.partial-") && clip.isRunning { return (clip, outputFolder) }
            if clip.isRunning { kill(clip.processIdentifier, SIGKILL) }
            clip.waitUntilExit()
            seen.append("\(try FileManager.default.contentsOfDirectory(atPath: outputFolder.path)) \(clip.terminationReason == .exit ? "exit" : "signal") \(clip.terminationStatus)")
        }
        throw PostgresTestServer.Failure(description: "the clip was never seen writing: \(seen)")
    }
}
