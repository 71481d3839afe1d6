import Foundation
import MediaLibrary
import MediaOps

/// A timeline whose items are resolved to library assets and their ranges.
public struct ResolvedTimeline: Sendable {
    public struct Item: Sendable {
        public var asset: Asset
        public var path: String
        public var start: Double
        public var end: Double
        public var transitionIn: TimelineTransition
        /// A readable name for exports: the asset's original file name or its id.
        public var name: String
    }

    public var document: TimelineDocument
    public var items: [Item]
}

extension LibraryEditor {
    /// Resolves every item of `document` through the store: an asset range as
    /// given, a segment by its index, a clip by its bookmark.
    /// - Throws: ``PipelineError`` naming the timeline file and the item.
    public func resolve(_ document: TimelineDocument, timelinePath: String) throws(PipelineError) -> ResolvedTimeline {
        var items: [ResolvedTimeline.Item] = []
        for (position, item) in document.items.enumerated() {
            let context = "item \(position + 1): "
            do {
                let asset: Asset, start: Double, end: Double
                switch item.source {
                case .range(let reference, let from, let to):
                    asset = try AssetReference.resolve(reference, in: store)
                    (start, end) = (from, to)
                case .segment(let reference, let index):
                    asset = try AssetReference.resolve(reference, in: store)
                    let segments = try store.segments(assetID: asset.assetID)
                    guard let segment = segments.first(where: { $0.segmentIndex == index }) else {
                        throw PipelineError(subject: timelinePath, code: .notFound,
                                            message: "asset #\(asset.assetID) has no segment \(index) (it has \(segments.count))")
                    }
                    (start, end) = (segment.timestampSec, segment.endSec)
                case .clip(let id):
                    guard let clip = try store.clip(id: id) else {
                        throw PipelineError(subject: timelinePath, code: .notFound, message: "no clip \(id) in the library")
                    }
                    guard let source = try store.asset(id: clip.sourceAssetID) else {
                        throw PipelineError(subject: timelinePath, code: .notFound, message: "clip \(id)'s asset is gone")
                    }
                    (asset, start, end) = (source, clip.startTime, clip.endTime)
                }
                guard asset.mediaType == "video" else {
                    throw PipelineError(subject: timelinePath, code: .noVideo, message: "asset #\(asset.assetID) is \(asset.mediaType), not a video")
                }
                if let duration = asset.durationSec, end > duration + 0.001 {
                    throw PipelineError(subject: timelinePath, code: .invalidRange,
                                        message: "the range \(start)–\(end) s ends after asset #\(asset.assetID) does (\(duration) s)")
                }
                let path = try sourceFile(asset.assetID)
                let name = asset.originalPath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "asset \(asset.assetID)"
                items.append(.init(asset: asset, path: path, start: start, end: end, transitionIn: item.transitionIn, name: name))
            } catch let error as PipelineError {
                throw PipelineError(subject: timelinePath, code: error.code, message: context + (error.subject == timelinePath ? "" : "\(error.subject): ") + error.message)
            } catch {
                let coded = PipelineError(subject: timelinePath, error)
                throw PipelineError(subject: timelinePath, code: coded.code, message: context + coded.message)
            }
        }
        return ResolvedTimeline(document: document, items: items)
    }

    /// Renders a resolved timeline into `output` and ingests it, with one
    /// `compose_input` edge per item (its range, in timeline order).
    public func composeTimeline(_ timeline: ResolvedTimeline, timelinePath: String, output: String,
                                quality: EncodingQuality = EncodingQuality()) throws(PipelineError) -> (rendered: Rendered, result: TimelineResult) {
        let request = TimelineRequest(
            entries: timeline.items.map { TimelineEntry(path: $0.path, start: $0.start, end: $0.end, transitionIn: $0.transitionIn) },
            output: output, width: timeline.document.width, height: timeline.document.height,
            frameRate: timeline.document.frameRate, pixelFormat: timeline.document.pixelFormat, quality: quality)
        let result: TimelineResult
        do { result = try TimelineRenderer.render(request) } catch {
            // A fault in an item is the timeline's: name the timeline and the asset rather than the stored file.
            if let index = timeline.items.firstIndex(where: { $0.path == error.path }) {
                throw PipelineError(subject: timelinePath, code: error.code, message: "asset #\(timeline.items[index].asset.assetID): \(error.message)")
            }
            throw PipelineError(error)
        }
        let asset = try ingestRendered(URL(fileURLWithPath: output), name: output)
        let inputs = zip(timeline.items, result.placements).map { item, placement in
            TimelineCompositionInput(assetID: item.asset.assetID, startTime: item.start, endTime: item.end,
                                       transformation: PipelineRunner.json(TimelineEdge(placement: placement, transitionIn: item.transitionIn)))
        }
        do { try store.recordTimelineComposition(inputs: inputs, resultAssetID: asset.assetID) } catch { throw PipelineError(error) }
        let facts = RenderFacts(mode: "timeline", frames: result.frames, durationSec: result.durationSec)
        return (Rendered(asset: asset, outputPath: output, facts: facts), result)
    }

    struct TimelineEdge: Codable {
        var placement: TimelinePlacement
        var transitionIn: TimelineTransition
        enum CodingKeys: String, CodingKey { case placement = "timeline", transitionIn = "transition_in" }
    }
}
