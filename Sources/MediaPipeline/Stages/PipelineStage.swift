import Foundation
import MediaCore
import MediaLibrary

/// A stage of the pipeline, by name: what `--stages`, `stage_runs.stage`,
/// the batch JSON and `assets show` call it.
///
/// What a stage does, its version, what it needs and what it records are
/// declared by its type (``AssetStage``); the stages and their order are the
/// list in ``StageRegistry``. This value only names one of them.
public struct PipelineStage: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The stage's name (`probe`, `segments`).
    public let name: String

    init(_ stage: any AssetStage.Type) { name = stage.name }

    private init(syncStage: Void) { name = SyncStage.name }

    /// The stage named `name`, if this build has one.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// Bring the file in: download or copy it into the content store, check
    /// that it is media, and find or create its asset by SHA-256. Always runs first.
    public static let sync = PipelineStage(syncStage: ())

    /// Every stage, in the order they run on an asset.
    public static var allCases: [PipelineStage] { [.sync] + StageRegistry.assetStages.map(PipelineStage.init) }

    /// The type that declares and does this stage (nil for ``sync``, which the runner does itself).
    var definition: (any AssetStage.Type)? { StageRegistry.assetStages.first { $0.name == name } }

    /// A stage's work is done once per asset and version: bumping a version
    /// (because its output changed) makes reruns redo it.
    public var version: Int { definition?.version ?? SyncStage.version }

    /// The stages that must be done on an asset before this one runs.
    public var needs: [PipelineStage] { definition?.needs ?? [] }

    /// The key of this stage's state in ``MediaLibrary/LibraryStore/stageStates(assetID:)``.
    public var stateKey: String { StageRun.stateKey(stage: name, version: version) }

    /// Position in the pipeline: the registry's order.
    var rank: Int { Self.allCases.firstIndex(of: self) ?? Int.max }

    public static func < (lhs: PipelineStage, rhs: PipelineStage) -> Bool { lhs.rank < rhs.rank }

    public var description: String { name }

    /// Parses `--stages` (`probe,segments`); `sync` is always included, because
    /// no other stage can run on a file that is not in the library, and so is
    /// every stage a named one needs.
    /// - Throws: ``PipelineError`` naming an unknown stage.
    public static func parseList(_ text: String) throws(PipelineError) -> [PipelineStage] {
        var stages: [PipelineStage] = [.sync]
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let stage = PipelineStage(name: name) else {
                throw PipelineError(subject: "--stages", code: .invalidArgument,
                                    message: "unknown stage '\(name)' (stages: \(allCases.map(\.name).joined(separator: ", ")))")
            }
            stages.append(stage)
        }
        return withNeeds(stages)
    }

    /// `stages` with every stage they need (transitively) and `sync`, in pipeline order.
    static func withNeeds(_ stages: [PipelineStage]) -> [PipelineStage] {
        var all: Set<PipelineStage> = [.sync]
        var pending = stages
        while let stage = pending.popLast() {
            if all.insert(stage).inserted { pending += stage.needs }
        }
        return all.sorted()
    }
}

extension PipelineStage: Codable {
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let stage = PipelineStage(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown stage '\(name)'"))
        }
        self = stage
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
