import Foundation
import MediaCore

/// The stages of the pipeline, in the order they run on an asset.
///
/// Each has a version: a stage's work is done once per asset and version, so
/// bumping a version (because its output changed) makes reruns redo it.
public enum PipelineStage: String, CaseIterable, Sendable, Codable, Comparable {
    /// Bring the file in: download or copy it into the content store, check
    /// that it is media, and find or create its asset by SHA-256.
    case sync
    /// Enrichment: container, codecs, duration, size, audio, into the asset row.
    case probe
    /// A poster frame beside the stored file.
    case thumbnail
    /// Representative frames beside the stored file.
    case keyframes
    /// Temporal segments with their features, into `asset_temporal_segments`.
    case segments

    public var version: Int {
        switch self {
        case .sync, .probe, .thumbnail, .keyframes, .segments: return 1
        }
    }

    /// Whether the stage works on this kind of media at all.
    func applies(to mediaType: String) -> Bool {
        switch self {
        case .sync, .probe: return true
        case .thumbnail, .keyframes, .segments: return mediaType == "video"
        }
    }

    /// Position in the pipeline.
    var rank: Int {
        switch self {
        case .sync: return 0
        case .probe: return 1
        case .thumbnail: return 2
        case .keyframes: return 3
        case .segments: return 4
        }
    }

    public static func < (lhs: PipelineStage, rhs: PipelineStage) -> Bool { lhs.rank < rhs.rank }

    /// Parses `--stages` (`probe,segments`); `sync` is always included, because
    /// no other stage can run on a file that is not in the library.
    /// - Throws: ``PipelineError`` naming an unknown stage.
    public static func parseList(_ text: String) throws(PipelineError) -> [PipelineStage] {
        var stages: Set<PipelineStage> = [.sync]
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let stage = PipelineStage(rawValue: name) else {
                throw PipelineError(subject: "--stages", code: .invalidArgument,
                                    message: "unknown stage '\(name)' (stages: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            stages.insert(stage)
        }
        return stages.sorted()
    }
}
