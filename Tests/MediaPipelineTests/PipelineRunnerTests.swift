import Foundation
import GRDB
@testable import MediaLibrary
import MediaOps
import MediaCore
import MediaPipeline
import MediaTestSupport
import Testing

/// The runner on real media in real libraries.
@Suite struct PipelineRunnerTests {
    @Test(.needsFFmpeg) func ingestStoresByContentAndRecordsStages() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("a.mp4"), seed: 1)
        let runner = PipelineFixture.runner(store)
        let options = PipelineRunner.Options(stages: [.sync, .probe])

        let first = runner.ingest(.file(path: clip.path), options: options)
        #expect(first.status == .succeeded)
        let firstID = try #require(first.assetID)
        let asset = try #require(try store.asset(id: firstID))
        #expect(asset.sha256 == (try PipelineFixture.sha256(clip)))
        #expect(asset.localPath?.hasSuffix("files/\(asset.sha256.prefix(2))/\(asset.sha256).mp4") == true)
        #expect(try PipelineFixture.sha256(URL(fileURLWithPath: asset.localPath!)) == asset.sha256)
        #expect(asset.mediaType == "video" && asset.width == 160 && asset.height == 120)
        #expect(asset.frameCount == (try TestMedia.packetCount(clip)))
        let audio = try #require(try store.audioMetadata(assetID: asset.assetID))
        #expect(audio.sampleRate == 48000 && audio.codec == "aac")
        let states = try store.stageStates(assetID: asset.assetID)
        #expect(states["sync@1"]?.status == "succeeded" && states["probe@1"]?.status == "succeeded")

        // The same bytes from another path: the same asset, nothing redone.
        let copy = folder.appendingPathComponent("copy-of-a.mp4")
        try FileManager.default.copyItem(at: clip, to: copy)
        let second = runner.ingest(.file(path: copy.path), options: options)
        #expect(second.status == .skipped)
        #expect(second.assetID == asset.id)
        #expect(try store.assets().count == 1)
        let successes = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stage_runs WHERE status = 'succeeded'") ?? 0
        }
        #expect(successes == 2)
        // file:// URLs name the same file.
        #expect(runner.ingest(try MediaSource("file://" + clip.path), options: options).assetID == asset.id)
    }

    @Test(.needsFFmpeg) func badInputFailsAloneWithItsReason() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("this is not a video\n".utf8).write(to: text)
        let empty = folder.appendingPathComponent("empty.mp4")
        try #require(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        let good = try PipelineFixture.makeClip(folder.appendingPathComponent("good.mp4"), seed: 2)
        let truncated = folder.appendingPathComponent("truncated.mp4")
        let bytes = try Data(contentsOf: good)
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        let runner = PipelineFixture.runner(store)
        let options = PipelineRunner.Options(stages: [.sync, .probe])

        let outcomes = [text, empty, folder.appendingPathComponent("missing.mp4"), truncated, good].map {
            runner.ingest(.file(path: $0.path), options: options)
        }
        #expect(outcomes.map(\.status) == [.failed, .failed, .failed, .failed, .succeeded])
        #expect(outcomes[0].error?.code == .notMedia)
        #expect(outcomes[1].error?.code == .empty)
        #expect(outcomes[2].error?.code == .notFound)
        #expect(outcomes[3].error != nil)
        #expect(try store.assets().count == 1)
        // Nothing half-written is left in the library.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path).isEmpty)

        // A rerun reports the earlier failure without redoing it, unless asked.
        let rerun = runner.ingest(.file(path: text.path), options: options)
        #expect(rerun.error?.code == .earlierFailure)
        try Data("still not a video\n".utf8).write(to: text)
        let retried = runner.ingest(.file(path: text.path), options: PipelineRunner.Options(stages: [.probe], retryFailed: true))
        #expect(retried.error?.code == .notMedia)
    }

    @Test(.needsFFmpeg) func unavailableStageFailsTheAssetAndIsNeverFaked() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("a.mp4"), seed: 3)
        // A build with no analysis operations at all.
        let runner = PipelineFixture.runner(store, operations: PipelineOperations())
        let outcome = runner.ingest(.file(path: clip.path), options: PipelineRunner.Options(stages: [.probe, .segments]))
        #expect(outcome.status == .failed)
        #expect(outcome.error?.code == .stageFailed)
        #expect(outcome.stages.map(\.status.rawValue) == ["succeeded", "succeeded", "failed"])
        let assetID = try #require(outcome.assetID)
        let asset = try #require(try store.asset(id: assetID))
        #expect(try store.segments(assetID: asset.assetID).isEmpty)
        #expect(try store.stageStates(assetID: asset.assetID)["segments@1"]?.status == "failed")
    }

    @Test(.needsFFmpeg) func stageForAnotherMediaTypeIsNotApplicable() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("still.png")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:duration=0.04", "-frames:v", "1", image.path])
        let runner = PipelineFixture.runner(store, operations: PipelineOperations())
        let outcome = runner.ingest(.file(path: image.path), options: PipelineRunner.Options(stages: [.probe, .segments]))
        #expect(outcome.status == .succeeded)
        #expect(outcome.stages.last?.status == .notApplicable)
        #expect(try store.asset(id: outcome.assetID!)?.mediaType == "image")
    }
}
