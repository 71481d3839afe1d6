import Foundation
import MediaLibrary
import MediaPipeline
import MediaTestSupport
import Testing

/// The default pipeline over `samples/` (provider-like clips with manifests):
/// every stage, the story's lineage, segments where the samples have their
/// cut and fade, and `match` finding the extension of the text-to-video clip.
@Suite struct SamplesPipelineTests {
    @Test func samplesBatchSegmentsLineageAndMatch() async throws {
        // samples/ is part of the repository: a missing sample fails the test, it is not skipped.
        let samples = TestMedia.samples
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = PipelineFixture.runner(store)
        let batch = BatchRunner(runner: runner, options: PipelineRunner.Options(stages: PipelineOperations.standard.defaultStages), jobs: 2)
        let report = await batch.run(try BatchRunner.items(inFolder: samples.path))
        #expect(report.failed == 0, "\(report.outcomes.compactMap(\.error))")
        // Every stage but those asked for by name only (loops decodes again, variants re-encodes).
        #expect(PipelineOperations.standard.defaultStages == PipelineStage.allCases.filter { $0 != .loops && $0 != .variants })

        func asset(_ name: String) throws -> Asset {
            let sha = try PipelineFixture.sha256(samples.appendingPathComponent(name))
            return try #require(try store.asset(sha256: sha), "\(name)")
        }
        let t2v = try asset("t2v_fractal_coast.mp4")
        let extend = try asset("extend_fractal_coast.mp4")
        let transition = try asset("transition_cut_fade.mp4")
        for video in [t2v, extend, transition] {
            let states = try store.stageStates(assetID: video.assetID)
            for stage in PipelineOperations.standard.defaultStages {
                #expect(states[stage.stateKey]?.status == "succeeded", "\(stage) of \(video.originalPath ?? "")")
            }
            #expect(states[PipelineStage.loops.stateKey] == nil, "loops runs when asked for only")
            #expect(video.thumbnailPath.map { FileManager.default.fileExists(atPath: $0) } == true)
        }
        // The sample with a hard cut at frame 60 and a fade at 4 s.
        let segments = try store.segments(assetID: transition.assetID)
        // The cut is exact; the fade's boundary is the middle of its black frames (120 or 121).
        #expect(segments.map(\.frameNumber).prefix(2) == [0, 60])
        #expect(segments.count == 3 && abs((segments.last?.frameNumber ?? 0) - 120) <= 1)
        #expect(segments.map(\.transitionIn) == ["start", "cut", "fade"])
        #expect(segments.allSatisfy { $0.startHash?.count == 16 && $0.endHash?.count == 16 })

        // The extension starts on the text-to-video clip's last frame: the best match.
        let candidates = try store.continuations(of: t2v.assetID, maxDistance: 10)
        #expect(candidates.first?.assetID == extend.assetID)
        #expect((candidates.first?.distance ?? 99) <= 4)

        // The story: the extension and the transition both come from the text-to-video clip.
        let descendants = try store.lineage(of: t2v.assetID, direction: .descendants)
        #expect(Set(descendants.nodes.map(\.asset.assetID)) == [t2v.assetID, extend.assetID, transition.assetID])
        #expect(try store.generationCount() == 6)
        #expect(try store.asset(id: extend.assetID)?.remoteURL == "https://cdn.provider.example/pixverse/video_1002.mp4")
    }
}
