import ArgumentParser
import Foundation
import MediaLibrary
import MediaPipeline

/// `pixsim-media lineage ASSET [--ancestors|--descendants] [--format tree|json|dot]`.
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "The derivation graph of an asset: what it was made from, or what was made from it.",
        discussion: "--json is the same as --format json."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, json, dot
    }

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "What the asset was made from (the default).")
    var ancestors = false

    @Flag(name: .long, help: "What was made from the asset.")
    var descendants = false

    @Option(name: .long, help: "tree, json or dot (Graphviz).")
    var format: Format = .tree

    @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.")
    var asset: String

    func validate() throws {
        if ancestors && descendants { throw ValidationError("give --ancestors or --descendants, not both") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: asset) {
            let store = try LibraryCommandSupport.openStore(options)
            let found = try LibraryCommandSupport.resolve(asset, in: store)
            let graph = try store.lineage(of: found.assetID, direction: descendants ? .descendants : .ancestors)
            switch options.json ? .json : format {
            case .json: try CommandOutput.printJSON(LineageDocument(graph))
            case .tree: CommandOutput.printLine(LineageRendering.tree(graph))
            case .dot: CommandOutput.printLine(LineageRendering.dot(graph))
            }
        }
    }
}

/// SPEC section 4's `lineage` document.
struct LineageDocument: Encodable {
    var assetId: Int64
    var direction: String
    var nodes: [Node]
    var edges: [EdgeDocument]

    struct Node: Encodable {
        var assetId: Int64
        var sha256: String
        var mediaType: String
        var depth: Int
        var durationSec: Double?
        var originalPath: String?
    }

    init(_ graph: LineageGraph) {
        assetId = graph.assetID
        direction = graph.direction.rawValue
        nodes = graph.nodes.map {
            Node(assetId: $0.asset.assetID, sha256: $0.asset.sha256, mediaType: $0.asset.mediaType, depth: $0.depth,
                 durationSec: $0.asset.durationSec, originalPath: $0.asset.originalPath)
        }
        edges = graph.edges.map(EdgeDocument.init)
    }
}

/// Text and Graphviz forms of a lineage graph.
enum LineageRendering {
    static func label(_ asset: Asset) -> String {
        var text = "#\(asset.assetID) \(asset.sha256.prefix(8)) \(asset.mediaType)"
        if let duration = asset.durationSec { text += String(format: " %.2fs", duration) }
        if let name = asset.originalPath.map({ URL(fileURLWithPath: $0).lastPathComponent }) { text += " \(name)" }
        return text
    }

    /// The asset at the root, then its parents (or children) indented under it.
    /// An asset reached twice is printed in full once and referred to after.
    static func tree(_ graph: LineageGraph) -> String {
        let assets = Dictionary(graph.nodes.map { ($0.asset.assetID, $0.asset) }, uniquingKeysWith: { first, _ in first })
        let ancestors = graph.direction == .ancestors
        var next: [Int64: [LineageEdge]] = [:]
        for edge in graph.edges {
            next[ancestors ? edge.childAssetID : edge.parentAssetID, default: []].append(edge)
        }
        var lines: [String] = []
        var printed: Set<Int64> = []
        func walk(_ id: Int64, prefix: String, path: Set<Int64>) {
            let edges = (next[id] ?? []).sorted { ($0.sequenceOrder, $0.storedID) < ($1.sequenceOrder, $1.storedID) }
            for (position, edge) in edges.enumerated() {
                let last = position == edges.count - 1
                let other = ancestors ? edge.parentAssetID : edge.childAssetID
                var relation = "\(edge.parentRole) / \(edge.operationType)"
                if let start = edge.parentStartTime, let end = edge.parentEndTime {
                    relation += String(format: " [%.3f-%.3f s]", start, end)
                }
                let name = assets[other].map(label) ?? "#\(other)"
                let seen = printed.contains(other) || path.contains(other)
                lines.append(prefix + (last ? "└─ " : "├─ ") + "\(relation): \(name)" + (seen ? " (see above)" : ""))
                if !seen {
                    printed.insert(other)
                    walk(other, prefix: prefix + (last ? "   " : "│  "), path: path.union([other]))
                }
            }
        }
        lines.append(assets[graph.assetID].map(label) ?? "#\(graph.assetID)")
        printed.insert(graph.assetID)
        walk(graph.assetID, prefix: "", path: [graph.assetID])
        if graph.edges.isEmpty { lines.append(ancestors ? "(no parents recorded)" : "(nothing made from it)") }
        return lines.joined(separator: "\n")
    }

    static func dot(_ graph: LineageGraph) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = ["digraph lineage {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for node in graph.nodes {
            var attributes = "label=\(quoted(label(node.asset)))"
            if node.asset.assetID == graph.assetID { attributes += ", style=bold" }
            lines.append("  a\(node.asset.assetID) [\(attributes)];")
        }
        for edge in graph.edges {
            lines.append("  a\(edge.parentAssetID) -> a\(edge.childAssetID) [label=\(quoted("\(edge.parentRole)\n\(edge.operationType)"))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
