import Foundation
import GRDB
@testable import MediaLibrary
import MediaCore
import MediaPipeline
import MediaTestSupport
import Testing

/// A multi-step story as the backend would hand it over: text-to-video,
/// image-to-video from a still, an extension, a transition, then a clip and a
/// branch rendered in the library; its lineage, both ways.
@Suite struct StoryLineageTests {
    func writeManifest(_ folder: URL, _ name: String, _ object: [String: Any]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
        return url.path
    }

    @Test(.needsFFmpeg) func storyFromManifestsAndRenders() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let downloads = folder.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let opening = try PipelineFixture.makeClip(downloads.appendingPathComponent("t2v.mp4"), seed: 1, seconds: 2)
        let still = downloads.appendingPathComponent("hero.png")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:duration=0.04", "-frames:v", "1", still.path])
        let fromStill = try PipelineFixture.makeClip(downloads.appendingPathComponent("i2v.mp4"), seed: 2, seconds: 2)
        let extended = try PipelineFixture.makeClip(downloads.appendingPathComponent("extend.mp4"), seed: 3, seconds: 2)
        let transition = try PipelineFixture.makeClip(downloads.appendingPathComponent("transition.mp4"), seed: 4, seconds: 1)
        let ending = try PipelineFixture.makeClip(downloads.appendingPathComponent("ending.mp4"), seed: 5, seconds: 1)

        let runner = PipelineFixture.runner(store)
        let options = PipelineRunner.Options(stages: [.probe])
        func ingest(_ manifestPath: String) throws -> IngestOutcome {
            let outcome = runner.ingestGeneration(try GenerationManifest.load(manifestPath), options: options, displayName: manifestPath)
            #expect(outcome.status != .failed, "\(manifestPath): \(outcome.error?.message ?? "")")
            return outcome
        }

        let t2v = try ingest(writeManifest(downloads, "t2v.json", [
            "provider_id": "pixverse", "provider_job_id": "job-1", "operation_type": "text_to_video",
            "prompt": "a hero walks", "params": ["model": "v5"], "result": ["path": "t2v.mp4"],
            "submitted_at": "2026-11-20T10:00:00Z", "completed_at": "2026-11-20T10:01:30Z", "seed": 42]))
        let t2vSHA = try PipelineFixture.sha256(opening)
        // The image parent is given by path: ingested first.
        let i2v = try ingest(writeManifest(downloads, "i2v.json", [
            "provider_id": "pixverse", "provider_job_id": "job-2", "operation_type": "image_to_video",
            "result": ["path": fromStill.lastPathComponent],
            "parents": [["path": "hero.png", "role": "source_image", "sequence_order": 0]]]))
        let extend = try ingest(writeManifest(downloads, "extend.json", [
            "provider_id": "pixverse", "provider_job_id": "job-3", "operation_type": "video_extend",
            "result": ["path": extended.lastPathComponent],
            "parents": [["sha256": String(t2vSHA.prefix(16)), "role": "source_video", "start_time": 0, "end_time": 2]]]))
        let joined = try ingest(writeManifest(downloads, "transition.json", [
            "provider_id": "sora", "provider_job_id": "job-4", "operation_type": "video_transition",
            "result": ["path": transition.lastPathComponent],
            "parents": [["asset_id": extend.assetID!, "role": "transition_from"], ["asset_id": i2v.assetID!, "role": "transition_to"]]]))

        // An unknown parent is a clear error, and nothing is recorded for it.
        let orphan = runner.ingestGeneration(try GenerationManifest.load(try writeManifest(downloads, "orphan.json", [
            "provider_id": "pixverse", "provider_job_id": "job-9", "operation_type": "video_extend",
            "result": ["path": ending.lastPathComponent], "parents": [["sha256": String(repeating: "e", count: 64), "role": "source_video"]]])),
            options: options, displayName: "orphan.json")
        #expect(orphan.status == .failed)
        #expect(orphan.error?.code == .unknownParent)
        #expect(orphan.error?.message.contains("no asset with SHA-256") == true)
        #expect(try store.asset(sha256: try PipelineFixture.sha256(ending)) == nil)

        let generationID = try #require(try store.asset(id: t2v.assetID!)?.sourceGenerationID)
        let generation = try #require(try store.generation(id: generationID))
        #expect(generation.prompt == "a hero walks")
        #expect(generation.params?.contains("\"seed\":42") == true)
        #expect(generation.params?.contains("\"model\":\"v5\"") == true)
        #expect(generation.submittedAt != nil)

        // Clip of the transition, rendered; then a branch: extend up to 1 s, then the ending.
        let endingAsset = runner.ingest(.file(path: ending.path), options: options)
        let editor = LibraryEditor(runner: runner, options: options)
        let clip = try store.createClip(AssetClip(sourceAssetID: joined.assetID!, startTime: 0.2, endTime: 0.8, clipName: "kiss"))
        let clipRender = try editor.renderClip(id: clip.id!, mode: "exact")
        #expect(clipRender.facts.frames == 15)
        let branch = try store.createBranch(AssetBranch(sourceAssetID: extend.assetID!, branchTime: 1, branchName: "fight"))
        _ = try store.addVariant(BranchVariant(branchID: branch.id!, variantAssetID: endingAsset.assetID!, variantName: "Hero wins", variantTag: "win"))
        let output = folder.appendingPathComponent("hero-wins.mp4")
        let branchRender = try editor.renderBranch(id: branch.id!, variantTag: "win", output: output.path, trimDuplicateJoins: false)
        #expect(FileManager.default.fileExists(atPath: output.path))
        let renderedDuration = try #require(branchRender.asset.durationSec)
        #expect(abs(renderedDuration - 2.0) < 0.1)

        let branchEdges = try store.parentEdges(of: branchRender.asset.assetID)
        #expect(branchEdges.map(\.parentRole) == ["branch_source", "branch_variant"])
        #expect(branchEdges.map(\.parentAssetID) == [extend.assetID!, endingAsset.assetID!])
        #expect(branchEdges.first?.parentEndTime == 1)

        // Ancestors of the clip: clip <- transition <- (extend <- t2v, i2v <- image).
        let ancestors = try store.lineage(of: clipRender.asset.assetID, direction: .ancestors)
        let depth = Dictionary(uniqueKeysWithValues: ancestors.nodes.map { ($0.asset.assetID, $0.depth) })
        let stillSHA = try PipelineFixture.sha256(still)
        let imageID = try #require(try store.asset(sha256: stillSHA)?.id)
        #expect(depth == [clipRender.asset.assetID: 0, joined.assetID!: 1, extend.assetID!: 2, i2v.assetID!: 2,
                          t2v.assetID!: 3, imageID: 3])
        let clipEdge = try #require(ancestors.edges.first { $0.childAssetID == clipRender.asset.assetID })
        #expect(clipEdge.parentStartTime == 0.2 && clipEdge.parentEndTime == 0.8)
        let transitionEdges = ancestors.edges.filter { $0.childAssetID == joined.assetID! }
        #expect(transitionEdges.map(\.parentRole) == ["transition_from", "transition_to"])

        // Descendants of the opening: extend, the transition, the clip and the branch render.
        let descendants = try store.lineage(of: t2v.assetID!, direction: .descendants)
        #expect(Set(descendants.nodes.map(\.asset.assetID)) ==
                Set([t2v.assetID!, extend.assetID!, joined.assetID!, clipRender.asset.assetID, branchRender.asset.assetID]))

        // Handing the same manifests over again changes nothing.
        let before = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM asset_lineage") ?? 0 }
        _ = try ingest(downloads.appendingPathComponent("transition.json").path)
        _ = try ingest(downloads.appendingPathComponent("i2v.json").path)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM asset_lineage") ?? 0 } == before)
        #expect(try store.generationCount() == 4)
    }
}
