import Foundation
import MediaLibrary
import MediaOps
@testable import MediaPipeline
import MediaTestSupport
import Synchronization
import Testing

/// The picture stages share one decode: when segments and the poster or
/// keyframes are due, one ``OnePassAnalyzing`` call makes them all.
@Suite struct SharedPassTests {
    /// Counts the shared passes made.
    final class CountingPass: OnePassAnalyzing {
        let inner: any OnePassAnalyzing
        let calls = Mutex(0)
        init(_ inner: any OnePassAnalyzing) { self.inner = inner }
        func analyze(input: String, posterOutput: String?, keyframesFolder: String?, keyframeCount: Int, decoderThreads: Int) throws -> OnePassResult {
            calls.withLock { $0 += 1 }
            return try inner.analyze(input: input, posterOutput: posterOutput, keyframesFolder: keyframesFolder,
                                     keyframeCount: keyframeCount, decoderThreads: decoderThreads)
        }
    }

    /// The stages' own operations, which must not run while the shared pass serves them.
    struct Refusing: PosterMaking, KeyframeExtracting, SegmentAnalyzing {
        struct Called: Error, CustomStringConvertible { var description: String { "the stage's own operation was called" } }
        func makePoster(input: String, output: String, decoderThreads: Int) throws -> PosterRecord { throw Called() }
        func extractKeyframes(input: String, folder: String, count: Int, decoderThreads: Int) throws -> [KeyframeRecord] { throw Called() }
        func analyzeSegments(input: String, decoderThreads: Int) throws -> [TemporalSegment] { throw Called() }
    }

    @Test(.needsFFmpeg) func oneDecodeServesPosterKeyframesAndSegments() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("a.mp4"), seed: 11, seconds: 3)
        let pass = CountingPass(try #require(PipelineOperations.standard.onePass))
        let operations = PipelineOperations(poster: Refusing(), keyframes: Refusing(), segments: Refusing(), onePass: pass, keyframeCount: 4)
        let runner = PipelineFixture.runner(store, operations: operations)
        let outcome = runner.ingest(.file(path: clip.path), options: PipelineRunner.Options(stages: [.thumbnail, .keyframes, .segments]))
        #expect(outcome.status == .succeeded, "\(outcome.error?.message ?? "")")
        #expect(pass.calls.withLock { $0 } == 1)
        let assetID = try #require(outcome.assetID)
        let asset = try #require(try store.asset(id: assetID))
        let poster = try #require(asset.thumbnailPath)
        #expect(FileManager.default.fileExists(atPath: poster))
        let keyframes = store.files.derivedPath(sha256: asset.sha256, suffix: "keyframes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: keyframes.path).filter { $0.hasSuffix(".jpg") }.count == 4)
        #expect(!(try store.segments(assetID: asset.assetID)).isEmpty)
        // Nothing left behind in the library's temporary folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path).isEmpty)

        // Only one picture stage due: no shared pass, the stage's own operation runs (and here refuses).
        let other = try PipelineFixture.makeClip(folder.appendingPathComponent("b.mp4"), seed: 12)
        let single = runner.ingest(.file(path: other.path), options: PipelineRunner.Options(stages: [.thumbnail]))
        #expect(single.status == .failed)
        #expect(single.error?.message.contains("own operation was called") == true)
        #expect(pass.calls.withLock { $0 } == 1)
    }
}
