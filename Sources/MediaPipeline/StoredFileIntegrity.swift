import Foundation
import MediaLibrary
import MediaOps

/// Checks a stored file against its asset's SHA-256 before it is used (SPEC
/// section 6): a blob in `files/` overwritten with other bytes must not be
/// rendered and recorded as lineage from the wrong picture. Cheap when nothing
/// changed (size and modification time equal to the last good check), a full
/// hash otherwise; a damaged or missing file is repaired from the asset's
/// original path when that still holds the right bytes.
public struct StoredFileIntegrity: Sendable {
    public var store: any LibraryStore
    /// Brings back a file that was downloaded (an evicted one) from its `remote_url`.
    public var downloader: Downloader

    public init(store: any LibraryStore, downloader: Downloader = Downloader()) {
        self.store = store
        self.downloader = downloader
    }

    public enum Verdict: String, Sendable, Codable {
        /// The file matches its hash.
        case intact
        /// It did not (or was missing) and was restored from the original.
        case repaired
        /// Its bytes are not the asset's, and it could not be restored.
        case damaged
        /// There is no file, and it could not be restored.
        case missing
    }

    public struct Check: Sendable {
        public var assetID: Int64
        public var path: String?
        public var verdict: Verdict
        /// What was found, in words (for `verify` and error lines).
        public var detail: String
    }

    /// - Parameter repair: restore a damaged or missing file from the asset's original path when its bytes are right.
    public func check(_ asset: Asset, repair: Bool) -> Check {
        guard let path = asset.localPath else {
            return Check(assetID: asset.assetID, path: nil, verdict: .missing, detail: "has no stored file")
        }
        var problem: Verdict
        var detail: String
        if let stamp = Self.stamp(path) {
            if stamp.size == asset.fileSizeBytes, let recorded = try? store.storedFileStamp(assetID: asset.assetID),
               recorded.size == stamp.size, recorded.modifiedNanoseconds == stamp.modified {
                return Check(assetID: asset.assetID, path: path, verdict: .intact, detail: "size and time unchanged since the last check")
            }
            if let hash = try? FileDigest.sha256(ofFile: path), hash == asset.sha256 {
                try? store.recordStoredFileStamp(assetID: asset.assetID, size: stamp.size, modifiedNanoseconds: stamp.modified)
                return Check(assetID: asset.assetID, path: path, verdict: .intact, detail: "hash matches")
            }
            problem = .damaged
            detail = "its bytes do not match its SHA-256 \(asset.sha256.prefix(12))…"
        } else {
            problem = .missing
            detail = "its file \(path) is missing"
        }
        guard repair else { return Check(assetID: asset.assetID, path: path, verdict: problem, detail: detail) }
        var tried = false
        if let original = asset.originalPath, original != path, (try? FileDigest.sha256(ofFile: original)) == asset.sha256 {
            if restore(asset, to: path, from: { temporary in try FileManager.default.copyItem(atPath: original, toPath: temporary.path) }) == nil {
                return Check(assetID: asset.assetID, path: path, verdict: .repaired, detail: "\(detail); restored from \(original)")
            }
            detail += "; restoring from \(original) failed"
            problem = .damaged
            tried = true
        }
        // An evicted file (or any lost one) that was downloaded comes back from its URL, checked against its hash.
        if let text = asset.remoteURL, let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? "") {
            guard let failure = restore(asset, to: path, from: { temporary in _ = try downloader.download(url, to: temporary) }) else {
                return Check(assetID: asset.assetID, path: path, verdict: .repaired, detail: "\(detail); downloaded again from \(text)")
            }
            detail += "; downloading it again from \(text) failed: \(failure)"
            return Check(assetID: asset.assetID, path: path, verdict: problem, detail: detail)
        }
        if !tried { detail += "; no original or URL with the right bytes to restore it from" }
        return Check(assetID: asset.assetID, path: path, verdict: problem, detail: detail)
    }

    /// Puts the asset's bytes back at `path` from `fetch` (which fills a temporary file), only if they hash right;
    /// the asset is then `stored` again, with a fresh stamp.
    /// - Returns: nil when restored, else why not.
    private func restore(_ asset: Asset, to path: String, from fetch: (URL) throws -> Void) -> String? {
        let temporary = store.files.makeTemporaryPath(pathExtension: URL(fileURLWithPath: path).pathExtension)
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            try fetch(temporary)
            guard (try? FileDigest.sha256(ofFile: temporary.path)) == asset.sha256 else { return "the bytes are not the asset's (SHA-256 differs)" }
            _ = try store.files.moveIntoPlace(temporary, to: URL(fileURLWithPath: path))
        } catch let error as PipelineError {
            return error.message
        } catch let error as LibraryError {
            return error.message
        } catch {
            return error.localizedDescription
        }
        guard let stamp = Self.stamp(path) else { return "the file vanished after it was put in place" }
        try? store.recordStoredFileStamp(assetID: asset.assetID, size: stamp.size, modifiedNanoseconds: stamp.modified)
        if asset.syncStatus != Asset.SyncStatus.stored.rawValue { try? store.setSyncStatus(.stored, assetID: asset.assetID) }
        return nil
    }

    /// Size and modification time (nanoseconds) of a file, following links; nil when it is not there.
    static func stamp(_ path: String) -> (size: Int64, modified: Int64)? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int64(status.st_size), Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
    }
}
