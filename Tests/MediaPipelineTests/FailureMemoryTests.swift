import Foundation
import MediaLibrary
import MediaPipeline
import MediaTestSupport
import Testing

/// Issue 15 item 6: failure memory is keyed by content, so the same path with
/// other bytes is tried again; `watch` waits for a file to settle, so a writer
/// that pauses keeps its file.
@Suite(.serialized, .enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg to make media"))
struct FailureMemoryTests {
    @Test func aFileThatFailedHalfWrittenIsRetriedOnceComplete() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let complete = try Data(contentsOf: PipelineFixture.makeClip(folder.appendingPathComponent("full.mp4"), seed: 51))
        let path = folder.appendingPathComponent("arriving.mp4")
        try complete.prefix(complete.count / 3).write(to: path)
        let runner = PipelineFixture.runner(store)
        let options = PipelineRunner.Options(stages: [.probe])
        #expect(runner.ingest(.file(path: path.path), options: options).status == .failed)
        // The same bytes again: remembered as failed.
        let again = runner.ingest(.file(path: path.path), options: options)
        #expect(again.error?.code == .earlierFailure)
        // Other bytes at the same path: tried again, without --retry-failed.
        try complete.write(to: path)
        let retried = runner.ingest(.file(path: path.path), options: options)
        #expect(retried.status == .succeeded, "\(retried.error?.message ?? "")")
    }

    @Test
    func aWriterThatPausesKeepsItsFile() async throws {
        let binary = try PipelineFixture.executable()
        let folder = try TestMedia.makeTemporaryDirectory("settle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let complete = try Data(contentsOf: PipelineFixture.makeClip(folder.appendingPathComponent("full.mp4"), seed: 52))
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let helpers = WatchSignalTests()
        // A settle time well above the writer's pause: the pause is real time (a blocking sleep), but a parallel
        // test run can delay everything else in this test by seconds.
        let watcher = try helpers.launchWatcher(binary, library: folder.appendingPathComponent("lib"), inbox: inbox,
                                                extraArguments: ["--settle", "15"])
        let target = inbox.appendingPathComponent("slow.mp4")
        let handle = try #require({ () -> FileHandle? in
            guard FileManager.default.createFile(atPath: target.path, contents: nil) else { return nil }
            return FileHandle(forWritingAtPath: target.path)
        }())
        try handle.write(contentsOf: complete.prefix(complete.count / 2))
        usleep(4_000_000)  // the writer pauses
        try handle.write(contentsOf: complete.suffix(from: complete.count / 2))
        try handle.close()
        let done = inbox.appendingPathComponent("done/slow.mp4").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: done) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        kill(watcher.processIdentifier, SIGTERM)
        try await helpers.waitForExit(watcher)
        #expect(FileManager.default.fileExists(atPath: done))
        #expect(!FileManager.default.fileExists(atPath: inbox.appendingPathComponent("failed/slow.mp4").path))
    }
}
