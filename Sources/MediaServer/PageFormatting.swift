import Foundation
import MediaLibrary

/// Numbers as the pages print them: sizes in kB/MB/GB, durations as `m:ss.s`, times in seconds.
/// One place, so the grid, the asset page and the branch player agree.
enum PageFormatting {
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    static func duration(_ seconds: Double?) -> String? {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return nil }
        let minutes = Int(seconds) / 60
        return String(format: "%d:%04.1f", minutes, seconds - Double(minutes * 60))
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// A percentage for a CSS length (`12.3456`), clamped to 0…100.
    static func percent(_ value: Double) -> String { String(format: "%.4f", min(100, max(0, value))) }

    /// The last path component of a path or URL, for people.
    static func fileName(_ pathOrURL: String?) -> String? {
        guard let pathOrURL, !pathOrURL.isEmpty else { return nil }
        if let url = URL(string: pathOrURL), url.scheme == "http" || url.scheme == "https" {
            let last = url.lastPathComponent
            return last.isEmpty || last == "/" ? url.host ?? pathOrURL : last
        }
        return URL(fileURLWithPath: pathOrURL).lastPathComponent
    }

    /// Cuts long text for a label, with an ellipsis.
    static func shortened(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    /// What pages call an asset: the file name it came from, else the start of its hash.
    static func name(of asset: Asset) -> String {
        fileName(asset.originalPath ?? asset.remoteURL) ?? String(asset.sha256.prefix(12))
    }

    /// The asset's file, by content hash.
    static func mediaURL(of asset: Asset) -> String { "/media/\(asset.sha256)" }

    /// The asset's poster, when the thumbnail stage made one.
    static func posterURL(of asset: Asset) -> String? {
        asset.thumbnailPath == nil ? nil : "/media/\(asset.sha256)/poster.jpg"
    }
}
