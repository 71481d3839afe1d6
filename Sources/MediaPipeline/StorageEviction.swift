import Foundation
import MediaLibrary

/// `evict`: frees the file store by dropping files that can be downloaded
/// again (assets with a `remote_url`), least recently used first
/// (`last_accessed_at`, else when the asset was added). Only the content file
/// goes: the row, the poster, keyframes and segments stay, and the asset is
/// marked `evicted`; `sync`, or any command that needs the file, downloads it
/// again and checks it against its SHA-256 (``StoredFileIntegrity``).
///
/// A file with no other source is never dropped unless `force`: such assets
/// are counted in ``Plan/keptWithoutSource`` when they would otherwise have gone.
/// A file outside the file store (never copied in) is never touched.
public struct StorageEviction: Sendable {
    public var store: any LibraryStore

    public init(store: any LibraryStore) { self.store = store }

    public struct Plan: Sendable {
        /// What goes, least recently used first.
        public var evict: [Asset]
        /// Assets that would have gone but have no URL to come back from.
        public var keptWithoutSource: [Asset]
        public var freedBytes: Int64 { evict.reduce(0) { $0 + $1.fileSizeBytes } }
    }

    /// - Parameters:
    ///   - maxBytes: drop files until the stored files total at most this many bytes.
    ///   - olderThan: drop files not used for this many seconds.
    ///   - force: drop files that have no URL too.
    ///   - now: the present (for tests).
    public func plan(maxBytes: Int64?, olderThan: TimeInterval?, force: Bool, now: Date = Date()) throws(LibraryError) -> Plan {
        let stored = try store.assets(mediaType: nil, limit: nil).filter { asset in
            // Inside the store means it has a relative stored form (``LibraryFiles/storedForm(_:)``).
            guard asset.syncStatus == Asset.SyncStatus.stored.rawValue, let path = asset.localPath,
                  !store.files.storedForm(path).hasPrefix("/") else { return false }
            return FileManager.default.fileExists(atPath: path)
        }.sorted { (lastUse($0), $0.assetID) < (lastUse($1), $1.assetID) }
        var total = stored.reduce(Int64(0)) { $0 + $1.fileSizeBytes }
        var plan = Plan(evict: [], keptWithoutSource: [])
        for asset in stored {
            let stale = olderThan.map { now.timeIntervalSince(lastUse(asset)) > $0 } ?? false
            let over = maxBytes.map { total > $0 } ?? false
            guard stale || over else { continue }
            guard force || asset.remoteURL != nil else {
                plan.keptWithoutSource.append(asset)
                continue
            }
            plan.evict.append(asset)
            total -= asset.fileSizeBytes
        }
        return plan
    }

    /// Drops one asset's content file and marks it `evicted`.
    public func evict(_ asset: Asset) throws(PipelineError) {
        guard let path = asset.localPath else { return }
        do {
            try store.setSyncStatus(.evicted, assetID: asset.assetID)
        } catch {
            throw PipelineError(error)
        }
        if unlink(path) != 0 && errno != ENOENT {
            let reason = String(cString: strerror(errno))
            try? store.setSyncStatus(.stored, assetID: asset.assetID)
            throw PipelineError(subject: path, code: .storage, message: "cannot remove: \(reason)")
        }
    }

    func lastUse(_ asset: Asset) -> Date { asset.lastAccessedAt ?? asset.createdAt }
}
