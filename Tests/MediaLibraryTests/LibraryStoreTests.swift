import Foundation
import GRDB
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// Which engine a test runs against: the same tests, on both.
enum StoreEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, empty library: SQLite in a temporary folder, or a new database on
    /// the shared test cluster (a test fails, not skips, when it cannot start).
    func makeStore() throws -> (store: any LibraryStore, folder: URL) {
        let folder = try TestMedia.makeTemporaryDirectory("library")
        switch self {
        case .sqlite:
            return (try SQLiteLibraryStore.open(folder: folder), folder)
        case .postgres:
            let url = try PostgresTestServer.shared().createDatabase()
            return (try PostgresLibraryStore.open(PostgresLocation(url: url, files: folder.path)), folder)
        }
    }
}

/// The store's contract, against real databases: SQLite files in temporary
/// folders and PostgreSQL databases on a throwaway cluster.
@Suite struct LibraryStoreTests {
    static func sha(_ seed: Int) -> String {
        let hex = String(seed, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }

    @discardableResult
    static func addAsset(_ store: any LibraryStore, _ seed: Int, duration: Double? = 10, fps: Double? = 30) throws -> Asset {
        try store.insertOrFetchAsset(Asset(sha256: sha(seed), mediaType: "video", durationSec: duration, fps: fps,
                                           fileSizeBytes: Int64(seed))).asset
    }

    static func segment(_ asset: Int64, _ index: Int, start: String, end: String) -> AssetTemporalSegment {
        AssetTemporalSegment(assetID: asset, segmentIndex: index, segmentType: "scene", transitionIn: index == 0 ? "start" : "cut",
                             timestampSec: Double(index), endSec: Double(index + 1), frameNumber: index * 30, endFrame: index * 30 + 30,
                             thumbnailPath: nil, brightness: 0.5, dominantColors: nil, cameraMotion: "static", motionMagnitude: 0,
                             startHash: start, endHash: end, transitionFrames: index == 0 ? nil : "[\(index * 30), \(index * 30)]")
    }

    /// Writes an analysis the way the segments stage does: with its completion mark.
    static func writeSegments(_ store: any LibraryStore, assetID: Int64, _ segments: [AssetTemporalSegment]) throws {
        let run = try store.startPipelineRun(source: "test", stages: ["segments"])
        let stage = try store.startStageRun(pipelineRunID: run.id!, assetID: assetID, stage: "segments", version: Int.random(in: 1...1_000_000))
        try store.completeStageRun(id: stage.id!, status: .succeeded, result: nil, assetID: nil, writing: .segments(segments))
    }

    @Test func sqliteMigrationsCreateTheSpecSchema() throws {
        let folder = try TestMedia.makeTemporaryDirectory("library")
        let store = try SQLiteLibraryStore.open(folder: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected: [String: [String]] = [
            "assets": ["id", "sha256", "media_type", "mime_type", "local_path", "remote_url", "provider_id", "provider_asset_id",
                       "width", "height", "duration_sec", "fps", "frame_count", "file_size_bytes", "thumbnail_path",
                       "sync_status", "source_generation_id", "media_metadata", "created_at", "last_accessed_at"],
            "asset_audio_metadata": ["asset_id", "sample_rate", "channels", "bitrate", "codec", "extra"],
            "asset_temporal_segments": ["asset_id", "segment_index", "segment_type", "timestamp_sec", "end_sec", "frame_number",
                                        "end_frame", "thumbnail_path", "brightness", "dominant_colors", "camera_motion",
                                        "motion_magnitude", "start_hash", "end_hash", "transition_frames"],
            "asset_lineage": ["child_asset_id", "parent_asset_id", "parent_role", "operation_type", "operation_job_id",
                              "parent_start_time", "parent_end_time", "parent_frame", "transformation", "sequence_order"],
            "asset_branches": ["source_asset_id", "branch_time", "branch_frame", "branch_name", "branch_tag", "branch_type", "game_metadata"],
            "asset_branch_variants": ["branch_id", "variant_asset_id", "variant_name", "variant_tag", "weight", "conditions"],
            "asset_clips": ["source_asset_id", "start_time", "end_time", "clip_name", "clip_tag", "extracted_asset_id", "playback_metadata"],
            "generations": ["provider_id", "provider_job_id", "operation_type", "prompt", "params", "result_asset_id",
                            "submitted_at", "completed_at"],
            "pipeline_runs": ["status", "started_at", "finished_at", "error"],
            "stage_runs": ["stage", "stage_version", "status", "started_at", "finished_at", "duration_sec", "error"],
            "asset_variants": ["asset_id", "variant_type", "path", "width", "height", "codec", "bit_rate", "metadata", "created_at"],
        ]
        try store.writer.read { db in
            for (table, columns) in expected {
                let present = Set(try db.columns(in: table).map(\.name))
                for column in columns { #expect(present.contains(column), "\(table).\(column)") }
            }
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode")
            #expect(journal == "wal")
        }
        let applied = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.count == 13)
        // Reopening applies nothing twice and keeps the data.
        try Self.addAsset(store, 1)
        let reopened = try SQLiteLibraryStore.open(folder: folder)
        #expect(try reopened.assets().count == 1)
    }

    /// Paths inside the file store are kept relative to it: the library (or the shared store, mounted
    /// elsewhere) moves and its rows still name its files; a path outside the store is kept as given.
    @Test(arguments: StoreEngine.allCases) func storedPathsFollowTheFileStoreWhenItMoves(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sha = Self.sha(77)
        let content = store.files.contentPath(sha256: sha, pathExtension: "mp4").path
        let poster = store.files.derivedPath(sha256: sha, suffix: "poster.jpg").path
        let id = try store.insertOrFetchAsset(Asset(sha256: sha, mediaType: "video", localPath: content, originalPath: "/elsewhere/a.mp4",
                                                    fileSizeBytes: 1, thumbnailPath: "/outside/poster.jpg")).asset.assetID
        #expect(try store.asset(id: id)?.localPath == content)
        let run = try store.startPipelineRun(source: "test", stages: ["thumbnail"])
        let stage = try store.startStageRun(pipelineRunID: run.id!, assetID: id, stage: "thumbnail", version: 1)
        try store.completeStageRun(id: stage.id!, status: .succeeded, result: nil, assetID: nil, writing: .thumbnail(path: poster))

        // The store, moved: the same rows, read through the new root.
        let moved = try TestMedia.makeTemporaryDirectory("moved")
        defer { try? FileManager.default.removeItem(at: moved) }
        let reopened: any LibraryStore
        switch engine {
        case .sqlite:
            let target = moved.appendingPathComponent("library")
            try FileManager.default.moveItem(at: folder, to: target)
            reopened = try SQLiteLibraryStore.open(folder: target)
        case .postgres:
            var location = try #require(store as? PostgresLibraryStore).location
            location.files = moved
            reopened = try PostgresLibraryStore.open(location)
        }
        let asset = try #require(try reopened.asset(id: id))
        #expect(asset.localPath == reopened.files.contentPath(sha256: sha, pathExtension: "mp4").path)
        #expect(asset.localPath?.hasPrefix(reopened.files.root.path) == true)
        #expect(asset.thumbnailPath == reopened.files.derivedPath(sha256: sha, suffix: "poster.jpg").path)
        #expect(asset.originalPath == "/elsewhere/a.mp4")
        #expect(try reopened.lineage(of: id, direction: .ancestors).nodes.first?.asset.localPath == asset.localPath)
    }

    /// The loops stage's rows: written with its completion mark, read back best first, replaced whole.
    @Test(arguments: StoreEngine.allCases) func loopsAreStoredRankedAndReplaced(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let id = try Self.addAsset(store, 5).assetID
        func write(_ loops: [AssetLoop], version: Int) throws {
            let run = try store.startPipelineRun(source: "test", stages: ["loops"])
            let stage = try store.startStageRun(pipelineRunID: run.id!, assetID: id, stage: "loops", version: version)
            try store.completeStageRun(id: stage.id!, status: .succeeded, result: nil, assetID: nil, writing: .loops(loops))
        }
        let first = AssetLoop(assetID: id, loopIndex: 0, startFrame: 6, endFrame: 56, startTime: 0.24, endTime: 2.24, score: 0.98, seamPSNR: 48.5)
        let second = AssetLoop(assetID: id, loopIndex: 0, startFrame: 3, endFrame: 103, startTime: 0.12, endTime: 4.12, score: 0.97, seamPSNR: 99)
        try write([first, second], version: 1)
        let stored = try store.loops(assetID: id)
        #expect(stored.map(\.loopIndex) == [0, 1])
        #expect(stored.map(\.endFrame) == [56, 103] && stored.map(\.seamPSNR) == [48.5, 99] && stored.first?.startTime == 0.24)
        try write([second], version: 2)
        #expect(try store.loops(assetID: id).map(\.startFrame) == [3])
    }

    /// Renditions: one row per (asset, type, parameters), its path relative to the file store, its
    /// `variant_source` edge written with it; the same parameters again write nothing and return the first row.
    @Test(arguments: StoreEngine.allCases) func variantsAreRecordedOnceWithTheirLineage(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.addAsset(store, 21).assetID
        let rendition = try Self.addAsset(store, 22).assetID
        let other = try Self.addAsset(store, 23).assetID
        let file = store.files.contentPath(sha256: Self.sha(22), pathExtension: "mp4").path
        let row = AssetVariant(assetID: source, variantAssetID: rendition, variantType: "compressed",
                               parametersKey: "codec=h264;crf=23;height=720", path: file, width: 1280, height: 720,
                               codec: "h264", bitRate: 1_500_000, metadata: #"{"crf":23}"#)
        let first = try store.recordVariant(row, transformation: #"{"operation":"compressed"}"#)
        #expect(first.inserted && first.variant.id != nil)
        #expect(first.variant.path == "files/00/\(Self.sha(22)).mp4")
        var again = row
        again.variantAssetID = other
        again.width = 1
        let second = try store.recordVariant(again, transformation: nil)
        #expect(!second.inserted && second.variant.id == first.variant.id && second.variant.width == 1280)
        var upscaled = row
        upscaled.variantType = "upscaled"
        upscaled.variantAssetID = other
        #expect(try store.recordVariant(upscaled, transformation: nil).inserted)
        let listed = try store.variants(ofAsset: source)
        #expect(listed.map(\.variantType) == ["compressed", "upscaled"])
        #expect(listed.first?.metadata == #"{"crf":23}"# && listed.first?.bitRate == 1_500_000 && listed.first?.codec == "h264")
        #expect(try store.variant(assetID: source, variantType: "compressed", parametersKey: "codec=h264;crf=23;height=720")?.id == first.variant.id)
        #expect(try store.variant(assetID: source, variantType: "compressed", parametersKey: "other") == nil)
        let edges = try store.parentEdges(of: rendition)
        #expect(edges.count == 1 && edges.first?.parentAssetID == source && edges.first?.parentRole == "variant_source")
        #expect(edges.first?.operationType == "variant_compressed" && edges.first?.transformation == #"{"operation":"compressed"}"#)
        #expect(try store.parentEdges(of: other).map(\.operationType) == ["variant_upscaled"])
    }

    /// The server keeps answers while the change token stays: it must move with every commit, by this
    /// store or by another process's (a second store on the same library stands for one), and only then.
    @Test(arguments: StoreEngine.allCases) func theChangeTokenMovesWithEveryCommitAndOnlyThen(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let other: any LibraryStore = switch engine {
        case .sqlite: try SQLiteLibraryStore.open(folder: folder)
        case .postgres: try PostgresLibraryStore.open(try #require((store as? PostgresLibraryStore)?.location))
        }
        // PostgreSQL's token is the cluster's snapshot: any transaction of any database moves it, and the
        // tests beside this one write to theirs. That it stays put is checked where it is the library's own.
        let onlyThisLibrary = engine == .sqlite
        let start = try #require(try store.changeToken())
        _ = try store.assets(mediaType: nil, limit: 5)
        if onlyThisLibrary { #expect(try store.changeToken() == start, "a read changes nothing") }
        _ = try store.insertOrFetchAsset(Asset(sha256: Self.sha(1), mediaType: "video", fileSizeBytes: 1))
        let afterOwnWrite = try #require(try store.changeToken())
        #expect(afterOwnWrite != start)
        _ = try other.insertOrFetchAsset(Asset(sha256: Self.sha(2), mediaType: "video", fileSizeBytes: 2))
        #expect(try store.changeToken() != afterOwnWrite, "another connection's commit")
        try other.setSyncStatus(.evicted, assetID: 1)
        let afterUpdate = try store.changeToken()
        #expect(afterUpdate != afterOwnWrite)
        if onlyThisLibrary { #expect(try store.changeToken() == afterUpdate) }
    }

    @Test(arguments: StoreEngine.allCases) func oneAssetPerContent(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try store.insertOrFetchAsset(Asset(sha256: Self.sha(7), mediaType: "video", originalPath: "/a.mp4", fileSizeBytes: 7))
        let second = try store.insertOrFetchAsset(Asset(sha256: Self.sha(7), mediaType: "video", originalPath: "/b.mp4",
                                                        remoteURL: "https://cdn.example/x.mp4", fileSizeBytes: 7))
        #expect(first.inserted)
        #expect(!second.inserted)
        #expect(first.asset.id == second.asset.id)
        // The first path stays; the URL learnt later is remembered.
        #expect(second.asset.originalPath == "/a.mp4")
        #expect(second.asset.remoteURL == "https://cdn.example/x.mp4")
        #expect(try store.assets().count == 1)
    }

    @Test(arguments: StoreEngine.allCases) func resolvesIdsAndHashPrefixes(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try store.insertOrFetchAsset(Asset(sha256: "abcd" + String(repeating: "1", count: 60), mediaType: "video", fileSizeBytes: 1)).asset
        let b = try store.insertOrFetchAsset(Asset(sha256: "abce" + String(repeating: "2", count: 60), mediaType: "video", fileSizeBytes: 1)).asset
        #expect(try store.resolveAsset("\(a.assetID)").id == a.id)
        #expect(try store.resolveAsset("abce2").id == b.id)
        #expect(throws: LibraryError.self) { try store.resolveAsset("abc") }
        do { _ = try store.resolveAsset("abc1"); Issue.record("expected not found") } catch { #expect(error.code == .notFound) }
        let both = try store.insertOrFetchAsset(Asset(sha256: "abcd" + String(repeating: "3", count: 60), mediaType: "video", fileSizeBytes: 1)).asset
        #expect(both.id != a.id)
        do { _ = try store.resolveAsset("abcd"); Issue.record("expected ambiguous") } catch { #expect(error.code == .ambiguous) }
        do { _ = try store.resolveAsset("999"); Issue.record("expected not found") } catch { #expect(error.code == .notFound) }
    }

    @Test(arguments: StoreEngine.allCases) func lineageAncestorsAndDescendantsWithDepth(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        // image -> t2v? No: story: image(1) -> i2v(2) -> extend(3); t2v(4); transition(5) from 3 and 4; clip(6) of 5.
        let ids = try (1...6).map { try Self.addAsset(store, $0).assetID }
        func edge(_ parent: Int, _ child: Int, _ role: String, _ op: String, order: Int = 0) -> LineageEdge {
            LineageEdge(childAssetID: ids[child - 1], parentAssetID: ids[parent - 1], parentRole: role, operationType: op, sequenceOrder: order)
        }
        try store.addLineageEdges([
            edge(1, 2, "source_image", "image_to_video"), edge(2, 3, "source_video", "video_extend"),
            edge(3, 5, "transition_from", "video_transition", order: 0), edge(4, 5, "transition_to", "video_transition", order: 1),
            edge(5, 6, "clip_source", "clip"),
        ])
        // Recording an edge twice adds nothing.
        try store.addLineageEdges([edge(5, 6, "clip_source", "clip")])

        let ancestors = try store.lineage(of: ids[5], direction: .ancestors)
        let depthByID = Dictionary(uniqueKeysWithValues: ancestors.nodes.map { ($0.asset.assetID, $0.depth) })
        #expect(depthByID == [ids[5]: 0, ids[4]: 1, ids[2]: 2, ids[3]: 2, ids[1]: 3, ids[0]: 4])
        #expect(ancestors.edges.count == 5)
        #expect(ancestors.nodes.first?.asset.assetID == ids[5])

        let descendants = try store.lineage(of: ids[0], direction: .descendants)
        #expect(descendants.nodes.map(\.asset.assetID) == [ids[0], ids[1], ids[2], ids[4], ids[5]])
        #expect(descendants.nodes.map(\.depth) == [0, 1, 2, 3, 4])
        // Asset 4 is not a descendant of 1, and its edge into 5 is left out.
        #expect(!descendants.edges.contains { $0.parentAssetID == ids[3] })

        let transitionParents = try store.parentEdges(of: ids[4])
        #expect(transitionParents.map(\.parentAssetID) == [ids[2], ids[3]])
        #expect(transitionParents.map(\.sequenceOrder) == [0, 1])
    }

    @Test(arguments: StoreEngine.allCases) func aCycleInAHandEditedDatabaseEnds(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Self.addAsset(store, 1).assetID, b = try Self.addAsset(store, 2).assetID
        try store.addLineageEdges([
            LineageEdge(childAssetID: b, parentAssetID: a, parentRole: "x", operationType: "y"),
            LineageEdge(childAssetID: a, parentAssetID: b, parentRole: "x", operationType: "y"),
        ])
        let graph = try store.lineage(of: a, direction: .ancestors)
        #expect(graph.nodes.map(\.depth) == [0, 1])
    }

    @Test(arguments: StoreEngine.allCases) func generationRecordsRowAndEdgesOnce(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parent = try Self.addAsset(store, 1).assetID, child = try Self.addAsset(store, 2).assetID
        let generation = Generation(providerID: "pixverse", providerJobID: "job-1", operationType: "video_extend",
                                    prompt: "continue", params: #"{"model":"v5"}"#, resultAssetID: child,
                                    submittedAt: nil, completedAt: nil)
        let parents = [GenerationParent(assetID: parent, role: "source_video", startTime: 0, endTime: 4.5, sequenceOrder: 0)]
        let first = try store.recordGeneration(generation, parents: parents)
        let second = try store.recordGeneration(generation, parents: parents)
        #expect(first.id == second.id)
        #expect(try store.generationCount() == 1)
        #expect(try store.asset(id: child)?.sourceGenerationID == first.id)
        let edges = try store.parentEdges(of: child)
        #expect(edges.count == 1)
        #expect(edges.first?.parentEndTime == 4.5)
        #expect(edges.first?.operationJobID == "job-1")
    }

    @Test(arguments: StoreEngine.allCases) func clipsAndBranchesValidateAndRecordRenders(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.addAsset(store, 1, duration: 10).assetID
        let variant = try Self.addAsset(store, 2).assetID
        let rendered = try Self.addAsset(store, 3).assetID
        #expect(throws: LibraryError.self) { try store.createClip(AssetClip(sourceAssetID: source, startTime: 4, endTime: 4)) }
        #expect(throws: LibraryError.self) { try store.createClip(AssetClip(sourceAssetID: source, startTime: 12, endTime: 14)) }
        let clip = try store.createClip(AssetClip(sourceAssetID: source, startTime: 2, endTime: 5, clipName: "intro"))
        _ = try store.recordClipRender(clipID: clip.id!, extractedAssetID: rendered, playbackMetadata: #"{"mode":"exact"}"#)
        let clipEdge = try #require(try store.parentEdges(of: rendered).first)
        #expect(clipEdge.parentStartTime == 2 && clipEdge.parentEndTime == 5 && clipEdge.parentRole == "clip_source")

        #expect(throws: LibraryError.self) { try store.createBranch(AssetBranch(sourceAssetID: source, branchTime: 11, branchName: "late")) }
        let branch = try store.createBranch(AssetBranch(sourceAssetID: source, branchTime: 6, branchName: "fork"))
        #expect(branch.branchFrame == 180)
        let win = try store.addVariant(BranchVariant(branchID: branch.id!, variantAssetID: variant, variantName: "Hero wins", variantTag: "win"))
        #expect(throws: LibraryError.self) {
            try store.addVariant(BranchVariant(branchID: branch.id!, variantAssetID: variant, variantName: "again", variantTag: "win"))
        }
        #expect(try store.variant(branchID: branch.id!, tag: "win").id == win.id)
        #expect(throws: LibraryError.self) { try store.variant(branchID: branch.id!, tag: "lose") }

        let output = try Self.addAsset(store, 4).assetID
        try store.recordBranchRender(branch: branch, variant: win, renderedAssetID: output, transformation: nil)
        let edges = try store.parentEdges(of: output)
        #expect(edges.map(\.parentRole) == ["branch_source", "branch_variant"])
        #expect(edges.map(\.parentAssetID) == [source, variant])
        #expect(edges.first?.parentEndTime == 6)
        #expect(try store.variants(of: branch.id!).first?.renderedAssetID == output)
    }

    @Test(arguments: StoreEngine.allCases) func stageCompletionIsRecordedOncePerAssetAndVersion(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let asset = try Self.addAsset(store, 1).assetID
        let run = try store.startPipelineRun(source: "/x.mp4", stages: ["probe"])
        let first = try store.startStageRun(pipelineRunID: run.id!, assetID: asset, stage: "probe", version: 1)
        let second = try store.startStageRun(pipelineRunID: run.id!, assetID: asset, stage: "probe", version: 1)
        let described = AssetDescription(mediaType: "video", mimeType: "video/mp4", width: 64, height: 48, durationSec: 2,
                                         fps: 25, frameCount: 50, mediaMetadata: "{}", audio: nil)
        let other = AssetDescription(mediaType: "video", mimeType: "video/mp4", width: 1, height: 1, durationSec: 1,
                                     fps: 1, frameCount: 1, mediaMetadata: "{}", audio: nil)
        #expect(try store.completeStageRun(id: first.id!, status: .succeeded, result: nil, assetID: nil,
                                           writing: .description(described)) == .succeeded)
        #expect(try store.completeStageRun(id: second.id!, status: .succeeded, result: nil, assetID: nil,
                                           writing: .description(other)) == .superseded)
        // Only the first completion's results were written.
        #expect(try store.asset(id: asset)?.width == 64)
        #expect(try store.stageStates(assetID: asset)["probe@1"]?.status == "succeeded")
        #expect(try store.stageRuns(assetID: asset).map(\.status) == ["succeeded", "superseded"])
    }

    /// A stage's rows are written in one statement on PostgreSQL (a JSON array of them): every
    /// column must come back as given, awkward text and doubles included, and a second completion
    /// replaces the rows whole; a description without audio removes the audio row it replaces.
    @Test(arguments: StoreEngine.allCases) func stageResultsComeBackExactlyAndAreReplacedWhole(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let asset = try Self.addAsset(store, 1).assetID
        var rich = Self.segment(asset, 0, start: "0123456789abcdef", end: "fedcba9876543210")
        rich.brightness = 0.1 + 0.2
        rich.motionMagnitude = 1e-300
        rich.dominantColors = ##"[{"hex": "#1f3a5c", "weight": 0.42}, {"hex": "#\"é\n", "weight": 0.58}]"##
        rich.thumbnailPath = "segments/ä b'c.jpg"
        var bare = Self.segment(asset, 1, start: "1", end: "2")
        (bare.transitionIn, bare.brightness, bare.cameraMotion, bare.motionMagnitude, bare.startHash, bare.endHash) = (nil, nil, nil, nil, nil, nil)
        try Self.writeSegments(store, assetID: asset, [rich, bare])
        let stored = try store.segments(assetID: asset).map { row -> AssetTemporalSegment in
            var copy = row
            copy.id = nil
            return copy
        }
        #expect(stored == [rich, bare])
        try Self.writeSegments(store, assetID: asset, [Self.segment(asset, 0, start: "2", end: "3")])
        #expect(try store.segments(assetID: asset).map(\.startHash) == ["2"])
        try Self.writeSegments(store, assetID: asset, [])
        #expect(try store.segments(assetID: asset).isEmpty)

        func describe(audio: AudioMetadata?, version: Int) throws -> RunStatus {
            let run = try store.startPipelineRun(source: "test", stages: ["probe"])
            let stage = try store.startStageRun(pipelineRunID: run.id!, assetID: asset, stage: "probe", version: version)
            let description = AssetDescription(mediaType: "video", mimeType: "video/mp4", width: 64, height: 48, durationSec: 2,
                                               fps: 25, frameCount: 50, mediaMetadata: "{}", audio: audio)
            return try store.completeStageRun(id: stage.id!, status: .succeeded, result: #"{"v": \#(version)}"#, assetID: nil,
                                              writing: .description(description))
        }
        let stereo = AudioMetadata(assetID: asset, sampleRate: 48000, channels: 2, bitrate: 128_000, codec: "aac", extra: nil)
        #expect(try describe(audio: stereo, version: 1) == .succeeded)
        #expect(try store.audioMetadata(assetID: asset)?.channels == 2)
        var mono = stereo
        mono.channels = 1
        #expect(try describe(audio: mono, version: 2) == .succeeded)
        #expect(try store.audioMetadata(assetID: asset)?.channels == 1)
        #expect(try describe(audio: nil, version: 3) == .succeeded)
        #expect(try store.audioMetadata(assetID: asset) == nil)
        // The completion's result is kept; a superseded run keeps none and writes nothing.
        #expect(try describe(audio: stereo, version: 3) == .superseded)
        #expect(try store.audioMetadata(assetID: asset) == nil)
        #expect(try store.stageRuns(assetID: asset).filter { $0.stage == "probe" }.map(\.result)
                == [#"{"v": 1}"#, #"{"v": 2}"#, #"{"v": 3}"#, nil])
    }

    @Test(arguments: StoreEngine.allCases) func continuationsAreSortedByHashDistance(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ids = try (1...4).map { try Self.addAsset(store, $0).assetID }
        try Self.writeSegments(store, assetID: ids[0], [Self.segment(ids[0], 0, start: "0000000000000000", end: "1111111111111111"),
                                                        Self.segment(ids[0], 1, start: "2222222222222222", end: "ffff0000ffff0000")])
        // First segments' start hashes at distance 0, 3 and 40 from asset 1's last end hash.
        try Self.writeSegments(store, assetID: ids[1], [Self.segment(ids[1], 0, start: "ffff0000ffff0007", end: "0")])
        try Self.writeSegments(store, assetID: ids[2], [Self.segment(ids[2], 0, start: "ffff0000ffff0000", end: "0"),
                                                        Self.segment(ids[2], 1, start: "ffff0000ffff0000", end: "0")])
        try Self.writeSegments(store, assetID: ids[3], [Self.segment(ids[3], 0, start: "00000fff0000ffff", end: "0")])
        // The transition frames (v2 column) come back as stored.
        #expect(try store.segments(assetID: ids[0]).map(\.transitionFrames) == [nil, "[30, 30]"])
        let candidates = try store.continuations(of: ids[0], maxDistance: 10)
        #expect(candidates == [ContinuationCandidate(assetID: ids[2], distance: 0), ContinuationCandidate(assetID: ids[1], distance: 3)])
        #expect(try store.continuations(of: ids[0], maxDistance: 64).count == 3)
        #expect(throws: LibraryError.self) { try store.continuations(of: ids[3] + 100, maxDistance: 10) }
    }

    /// Two connections (as two processes would have) inserting the same contents at once.
    @Test func sqliteConcurrentWritersMakeNoDuplicates() async throws {
        let folder = try TestMedia.makeTemporaryDirectory("library")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stores = [try SQLiteLibraryStore.open(folder: folder), try SQLiteLibraryStore.open(folder: folder)]
        let count = 200
        await withTaskGroup(of: Void.self) { group in
            for (position, store) in stores.enumerated() {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        DispatchQueue.global().async {
                            // Opposite orders, so the two writers collide on every row.
                            let order = position == 0 ? Array(0..<count) : Array((0..<count).reversed())
                            for seed in order {
                                _ = try? store.insertOrFetchAsset(Asset(sha256: Self.sha(seed + 1000), mediaType: "video", fileSizeBytes: 1))
                            }
                            continuation.resume()
                        }
                    }
                }
            }
        }
        let total = try stores[0].read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assets") }
        let distinct = try stores[1].read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT sha256) FROM assets") }
        #expect(total == count)
        #expect(distinct == count)
    }
}

/// A thread-safe counter for closures the store runs.
final class Counter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
