import Foundation

/// Text and Graphviz forms of a lineage graph (`lineage --format tree|dot`),
/// beside the graph so that every front end renders it the same way.
extension LineageGraph {
    /// One line naming an asset: `#5 1f8e5087 video 4.00s t2v_fractal_coast.mp4`.
    public static func label(_ asset: Asset) -> String {
        var text = "#\(asset.assetID) \(asset.sha256.prefix(8)) \(asset.mediaType)"
        if let duration = asset.durationSec { text += String(format: " %.2fs", duration) }
        if let name = asset.originalPath.map({ URL(fileURLWithPath: $0).lastPathComponent }) { text += " \(name)" }
        return text
    }

    /// The asset at the root, then its parents (or children) indented under it.
    /// An asset reached twice is printed in full once and referred to after.
    public var treeText: String {
        let graph = self
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
                let name = assets[other].map(Self.label) ?? "#\(other)"
                let seen = printed.contains(other) || path.contains(other)
                lines.append(prefix + (last ? "└─ " : "├─ ") + "\(relation): \(name)" + (seen ? " (see above)" : ""))
                if !seen {
                    printed.insert(other)
                    walk(other, prefix: prefix + (last ? "   " : "│  "), path: path.union([other]))
                }
            }
        }
        lines.append(assets[graph.assetID].map(Self.label) ?? "#\(graph.assetID)")
        printed.insert(graph.assetID)
        walk(graph.assetID, prefix: "", path: [graph.assetID])
        if graph.edges.isEmpty { lines.append(ancestors ? "(no parents recorded)" : "(nothing made from it)") }
        return lines.joined(separator: "\n")
    }

    /// The graph in Graphviz DOT.
    public var dotText: String {
        let graph = self
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = ["digraph lineage {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for node in graph.nodes {
            var attributes = "label=\(quoted(Self.label(node.asset)))"
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
