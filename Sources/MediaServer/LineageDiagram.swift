import Foundation
import MediaLibrary

/// The lineage graph drawn as SVG with a layered layout: the asset in the middle row, its ancestors in the
/// rows above (parents first), its descendants in the rows below; each row ordered so that a node sits near
/// the nodes it connects to in the row nearer the asset (the barycentre heuristic, one sweep outwards).
/// Edges run from a parent's bottom to a child's top, labelled with role, operation and time range.
struct LineageDiagram {
    struct Node {
        var id: Int64
        var href: String
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var textX: Int
        var titleY: Int
        var detailY: Int
        var title: String
        var detail: String
        var isCurrent: Bool
    }

    struct Edge {
        var parent: Int64
        var child: Int64
        var path: String
        var labelX: Int
        var labelY: Int
        var label: String
    }

    var width: Int
    var height: Int
    var nodes: [Node]
    var edges: [Edge]
    var hasRelatives: Bool

    static let nodeWidth = 190, nodeHeight = 46, columnGap = 36, rowGap = 96, margin = 16

    init(assetID: Int64, ancestors: LineageGraph, descendants: LineageGraph) {
        var layerOf: [Int64: Int] = [assetID: 0]
        var assets: [Int64: Asset] = [:]
        for node in ancestors.nodes {
            assets[node.asset.assetID] = node.asset
            if node.asset.assetID != assetID { layerOf[node.asset.assetID] = -node.depth }
        }
        for node in descendants.nodes {
            assets[node.asset.assetID] = node.asset
            if node.asset.assetID != assetID, layerOf[node.asset.assetID] == nil { layerOf[node.asset.assetID] = node.depth }
        }
        var seen: Set<String> = []
        let allEdges = (ancestors.edges + descendants.edges).filter { edge in
            seen.insert("\(edge.childAssetID)-\(edge.parentAssetID)-\(edge.parentRole)-\(edge.sequenceOrder)").inserted
                && layerOf[edge.childAssetID] != nil && layerOf[edge.parentAssetID] != nil
        }
        var neighbours: [Int64: [Int64]] = [:]
        for edge in allEdges {
            neighbours[edge.childAssetID, default: []].append(edge.parentAssetID)
            neighbours[edge.parentAssetID, default: []].append(edge.childAssetID)
        }
        // Rows outwards from the asset's: each row sorted by the mean position of its neighbours in the row
        // already placed (the one nearer the asset), then by id.
        let layers = Set(layerOf.values)
        var position: [Int64: Double] = [assetID: 0]
        var rows: [Int: [Int64]] = [0: [assetID]]
        for direction in [-1, 1] {
            var layer = direction
            while layers.contains(layer) {
                let members = layerOf.filter { $0.value == layer }.map(\.key)
                let inner = Set(rows[layer - direction] ?? [])
                func barycentre(_ id: Int64) -> Double {
                    let placed = (neighbours[id] ?? []).filter(inner.contains).compactMap { position[$0] }
                    return placed.isEmpty ? .infinity : placed.reduce(0, +) / Double(placed.count)
                }
                let ordered = members.sorted { (barycentre($0), $0) < (barycentre($1), $1) }
                for (index, id) in ordered.enumerated() { position[id] = Double(index) }
                rows[layer] = ordered
                layer += direction
            }
        }
        let widest = rows.values.map(\.count).max() ?? 1
        width = Self.margin * 2 + widest * Self.nodeWidth + (widest - 1) * Self.columnGap
        let top = rows.keys.min() ?? 0, bottom = rows.keys.max() ?? 0
        height = Self.margin * 2 + (bottom - top + 1) * Self.nodeHeight + (bottom - top) * Self.rowGap
        var frames: [Int64: (x: Int, y: Int)] = [:]
        var nodes: [Node] = []
        for layer in rows.keys.sorted() {
            let row = rows[layer] ?? []
            let rowWidth = row.count * Self.nodeWidth + (row.count - 1) * Self.columnGap
            let y = Self.margin + (layer - top) * (Self.nodeHeight + Self.rowGap)
            for (index, id) in row.enumerated() {
                let x = (width - rowWidth) / 2 + index * (Self.nodeWidth + Self.columnGap)
                frames[id] = (x, y)
                let asset = assets[id]
                let name = asset.map(PageFormatting.name) ?? ""
                var detail = asset?.mediaType ?? ""
                if let duration = PageFormatting.duration(asset?.durationSec) { detail += " · \(duration)" }
                nodes.append(Node(id: id, href: "/assets/\(id)", x: x, y: y, width: Self.nodeWidth, height: Self.nodeHeight,
                                  textX: x + 10, titleY: y + 19, detailY: y + 36,
                                  title: PageFormatting.shortened("#\(id) \(name)", to: 26), detail: detail, isCurrent: id == assetID))
            }
        }
        self.nodes = nodes
        edges = allEdges.compactMap { edge in
            guard let from = frames[edge.parentAssetID], let to = frames[edge.childAssetID] else { return nil }
            let x1 = from.x + Self.nodeWidth / 2, y1 = from.y + Self.nodeHeight
            let x2 = to.x + Self.nodeWidth / 2, y2 = to.y
            let bend = max(30, abs(y2 - y1) / 2)
            var label = "\(edge.parentRole) · \(edge.operationType)"
            if let start = edge.parentStartTime, let end = edge.parentEndTime {
                label += String(format: " · %.2f–%.2f s", start, end)
            } else if let start = edge.parentStartTime {
                label += String(format: " · from %.2f s", start)
            }
            return Edge(parent: edge.parentAssetID, child: edge.childAssetID,
                        path: "M\(x1),\(y1) C\(x1),\(y1 + bend) \(x2),\(y2 - bend) \(x2),\(y2 - 4)",
                        labelX: (x1 + x2) / 2, labelY: (y1 + y2) / 2 + 4, label: PageFormatting.shortened(label, to: 48))
        }
        hasRelatives = nodes.count > 1
    }
}
