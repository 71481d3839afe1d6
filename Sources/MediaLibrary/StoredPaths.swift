import Foundation

/// How file paths are kept in the database: relative to the file store's root
/// (`files/ab/abcdef….mp4`), so that a library folder (or a shared file store
/// mounted elsewhere on another machine) can be moved and its rows still name
/// its files. Callers never see the stored form: the engines store with
/// ``storedForm(_:)`` and hand out records with ``resolved(_:)``, so every
/// `Asset` outside `MediaLibrary` carries absolute paths.
///
/// A path outside the store (never made by the pipeline) and the absolute paths
/// of libraries written before this rule are kept and returned as they are.
extension LibraryFiles {
    /// `path` relative to ``root`` when it lies inside it, else `path` unchanged.
    public func storedForm(_ path: String) -> String {
        let base = root.standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        guard standardized.hasPrefix(prefix) else { return path }
        return String(standardized.dropFirst(prefix.count))
    }

    /// The absolute path of a stored path: a relative one lies under ``root``; an absolute one is kept.
    public func resolved(_ stored: String) -> String {
        stored.hasPrefix("/") ? stored : root.appendingPathComponent(stored).path
    }

    /// The asset as its row holds it (paths inside the store made relative).
    func storedForm(_ asset: Asset) -> Asset {
        var row = asset
        row.localPath = row.localPath.map(storedForm)
        row.thumbnailPath = row.thumbnailPath.map(storedForm)
        return row
    }

    /// The asset as callers see it (stored relative paths made absolute).
    func resolved(_ asset: Asset) -> Asset {
        var resolved = asset
        resolved.localPath = resolved.localPath.map(self.resolved)
        resolved.thumbnailPath = resolved.thumbnailPath.map(self.resolved)
        return resolved
    }
}
