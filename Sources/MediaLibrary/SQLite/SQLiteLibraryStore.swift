import Foundation
import GRDB
import Synchronization

/// The SQLite engine of ``LibraryStore``: a library folder holding a SQLite
/// database (`library.sqlite`, WAL) and the content store (`files/`). Writes are named after what they mean
/// (``insertOrFetchAsset(_:)``, ``recordGeneration(_:parents:)``), and every
/// write that must be all-or-nothing is one transaction.
///
/// ```swift
/// let store = try SQLiteLibraryStore.open(folder: URL(fileURLWithPath: "pixsim-library"))
/// let (asset, inserted) = try store.insertOrFetchAsset(Asset(sha256: sha, mediaType: "video", fileSizeBytes: size))
/// ```
///
/// Several processes may use one library at once: SQLite serialises their
/// writes (immediate transactions and a busy timeout), and content-keyed
/// inserts use `ON CONFLICT DO NOTHING`, so they never make duplicates.
public struct SQLiteLibraryStore: LibraryStore {
    /// `DatabasePool` for a file (WAL: readers never wait for the writer),
    /// `DatabaseQueue` in memory.
    /// Internal: outside `MediaLibrary` the database is reached only through ``LibraryStore``.
    let writer: any DatabaseWriter
    public let files: LibraryFiles
    /// The connection that reads ``changeToken()``, opened when first asked.
    let changeWatch = ChangeWatch()
    public var displayName: String { files.root.appendingPathComponent(Self.databaseFileName).path }

    /// The database file's name inside the library folder.
    public static let databaseFileName = "library.sqlite"

    /// Opens (creating if needed) the library in `folder` and brings its
    /// schema up to date.
    /// - Parameter busyTimeout: how long a write waits for another process's write.
    /// - Throws: ``LibraryError`` if the folder cannot be created or the database cannot be opened or migrated.
    public static func open(folder: URL, busyTimeout: TimeInterval = defaultBusyTimeout) throws(LibraryError) -> SQLiteLibraryStore {
        let databasePath = folder.appendingPathComponent(databaseFileName).path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw LibraryError(subject: folder.path, code: .storage, message: "cannot create the library folder: \(error.localizedDescription)")
        }
        // Held until this function returns (the lock's deinit releases it): another process creating or
        // migrating the same library at this moment is waited for, not mistaken for a foreign database.
        let lockPath = folder.appendingPathComponent(".library.lock").path
        let lockExisted = FileManager.default.fileExists(atPath: lockPath)
        let lock = try FolderLock(path: lockPath)
        // Before the database is opened for writing: a foreign database is refused untouched
        // (and the folder left as it was found).
        do {
            try LibraryIdentity.check(databasePath, busyTimeout: busyTimeout)
        } catch {
            lock.release()
            if !lockExisted { try? FileManager.default.removeItem(atPath: lockPath) }
            throw error
        }
        let files = LibraryFiles(root: folder)
        try files.prepare()
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        // GRDB 7 opens DatabasePool writes with BEGIN IMMEDIATE, so the busy
        // timeout applies to a second process's writes instead of failing at once.
        configuration.foreignKeysEnabled = true
        do {
            let pool = try DatabasePool(path: databasePath, configuration: configuration)
            // Migrating takes the write lock; a library that is up to date is only read, so a command
            // is not held up (nor failed) by another process's long write before it has anything to write.
            if try !pool.read({ db in try SQLiteMigrations.migrator.hasCompletedMigrations(db) }) {
                try SQLiteMigrations.migrator.migrate(pool)
            }
            files.removeAbandonedTemporaryFiles(withoutMachine: true)
            lock.release()
            return SQLiteLibraryStore(writer: pool, files: files)
        } catch {
            throw LibraryError(subject: databasePath, code: .database, message: "cannot open the library database: \(describe(error))")
        }
    }

    /// How long a write waits for another process's write before it fails: `PIXSIM_MEDIA_BUSY_TIMEOUT`
    /// (seconds) when set to a number, else 30 s.
    public static var defaultBusyTimeout: TimeInterval {
        guard let text = ProcessInfo.processInfo.environment["PIXSIM_MEDIA_BUSY_TIMEOUT"], let seconds = TimeInterval(text),
              seconds.isFinite, seconds >= 0 else { return 30 }
        return seconds
    }

    /// A database failure as one line; a lock held by another process past the busy timeout says so
    /// plainly rather than as SQLite's "database is locked" alone.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return "the database is locked by another process for longer than the busy timeout"
                + " (PIXSIM_MEDIA_BUSY_TIMEOUT, 30 s unless set): \(error.message ?? "database is locked")"
        }
        return "\(error)"
    }

    /// A library whose database lives in memory (files still go to `folder`): for tests.
    public static func inMemory(folder: URL) throws -> SQLiteLibraryStore {
        let files = LibraryFiles(root: folder)
        try files.prepare()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(configuration: configuration)
        try SQLiteMigrations.migrator.migrate(queue)
        return SQLiteLibraryStore(writer: queue, files: files)
    }

    init(writer: any DatabaseWriter, files: LibraryFiles) {
        self.writer = writer
        self.files = files
    }

    /// SQLite's `data_version` on a connection of its own that never writes: it changes when another
    /// connection (of this process or any other) commits, and a pragma costs microseconds, where the
    /// writes' own connections would not see their own commits.
    public func changeToken() throws(LibraryError) -> String? {
        guard let pool = writer as? DatabasePool else { return nil }
        do {
            let connection = try changeWatch.connection.withLock { connection in
                if let connection { return connection }
                var configuration = Configuration()
                configuration.readonly = true
                let opened = try DatabaseQueue(path: pool.path, configuration: configuration)
                connection = opened
                return opened
            }
            // Outside the lock: the queue serialises its callers by blocking them, where the lock would spin.
            return try connection.inDatabase { db in
                try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version"))
            }.map(String.init)
        } catch {
            throw LibraryError(subject: Self.databaseFileName, code: .database, message: Self.describe(error))
        }
    }

    /// Holds the connection ``changeToken()`` reads (a class: the store is a value shared across threads).
    final class ChangeWatch: Sendable {
        let connection = Mutex<DatabaseQueue?>(nil)
    }

    /// Runs a read, translating database failures into ``LibraryError``.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LibraryError) -> T {
        do { return try writer.read(body) } catch let error as LibraryError { throw error } catch {
            throw LibraryError(subject: Self.databaseFileName, code: .database, message: Self.describe(error))
        }
    }

    /// Runs a write transaction, translating database failures into ``LibraryError``.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LibraryError) -> T {
        do { return try writer.write(body) } catch let error as LibraryError { throw error } catch {
            throw LibraryError(subject: Self.databaseFileName, code: .database, message: Self.describe(error))
        }
    }

    // MARK: Assets

    /// Inserts the asset unless one with the same SHA-256 exists, and returns
    /// the row that is in the database either way. Race-free across
    /// processes: `INSERT … ON CONFLICT(sha256) DO NOTHING`, then fetch.
    /// - Returns: the stored asset and whether this call created it.
    public func insertOrFetchAsset(_ asset: Asset) throws(LibraryError) -> (asset: Asset, inserted: Bool) {
        let candidate = files.storedForm(asset)
        let (stored, inserted) = try write { db in
            // Looking first keeps ids dense (an INSERT that hits the conflict still
            // uses up an AUTOINCREMENT id); the write transaction makes it race-free.
            if let existing = try Asset.filter(Asset.Columns.sha256 == candidate.sha256).fetchOne(db) {
                return (try Self.merge(db, stored: existing, candidate: candidate), false)
            }
            try db.execute(sql: """
                INSERT INTO assets (sha256, media_type, mime_type, local_path, original_path, remote_url, provider_id,
                    provider_asset_id, width, height, duration_sec, fps, frame_count, file_size_bytes, thumbnail_path,
                    sync_status, source_generation_id, media_metadata, created_at, last_accessed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(sha256) DO NOTHING
                """, arguments: [
                    candidate.sha256, candidate.mediaType, candidate.mimeType, candidate.localPath, candidate.originalPath,
                    candidate.remoteURL, candidate.providerID, candidate.providerAssetID, candidate.width, candidate.height,
                    candidate.durationSec, candidate.fps, candidate.frameCount, candidate.fileSizeBytes,
                    candidate.thumbnailPath, candidate.syncStatus, candidate.sourceGenerationID, candidate.mediaMetadata,
                    candidate.createdAt, candidate.lastAccessedAt,
                ])
            let inserted = db.changesCount > 0
            guard let stored = try Asset.filter(Asset.Columns.sha256 == candidate.sha256).fetchOne(db) else {
                throw LibraryError(subject: candidate.sha256, code: .database, message: "asset vanished after insert")
            }
            if !inserted { return (try Self.merge(db, stored: stored, candidate: candidate), false) }
            return (stored, true)
        }
        return (files.resolved(stored), inserted)
    }

    private static func merge(_ db: Database, stored: Asset, candidate: Asset) throws -> Asset {
        let merged = Asset.merge(stored: stored, candidate: candidate)
        try merged.update(db)
        return merged
    }

    public func asset(id: Int64) throws(LibraryError) -> Asset? {
        try read { db in try Asset.fetchOne(db, key: id) }.map(files.resolved)
    }

    public func asset(sha256: String) throws(LibraryError) -> Asset? {
        try read { db in try Asset.filter(Asset.Columns.sha256 == sha256.lowercased()).fetchOne(db) }.map(files.resolved)
    }

    public func assets(sha256Prefix prefix: String, limit: Int) throws(LibraryError) -> [Asset] {
        try read { db in
            try Asset.filter(sql: "substr(sha256, 1, ?) = ?", arguments: [prefix.count, prefix]).limit(limit).fetchAll(db)
        }.map(files.resolved)
    }

    /// Assets, newest first.
    public func assets(mediaType: String?, limit: Int?) throws(LibraryError) -> [Asset] {
        try read { db in
            var request = Asset.all()
            if let mediaType { request = request.filter(Asset.Columns.mediaType == mediaType) }
            request = request.order(Asset.Columns.id.desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }.map(files.resolved)
    }

    /// Writes what the probe stage learnt: the asset's columns and its audio row.
    static func describe(_ db: Database, assetID: Int64, as description: AssetDescription) throws {
        try db.execute(sql: """
            UPDATE assets SET media_type = ?, mime_type = ?, width = ?, height = ?, duration_sec = ?, fps = ?,
                frame_count = ?, media_metadata = ?
            WHERE id = ?
            """, arguments: [description.mediaType, description.mimeType, description.width, description.height,
                             description.durationSec, description.fps, description.frameCount,
                             description.mediaMetadata, assetID])
        try AudioMetadata.filter(AudioMetadata.Columns.assetID == assetID).deleteAll(db)
        if var audio = description.audio {
            audio.assetID = assetID
            try audio.insert(db)
        }
    }

    public func audioMetadata(assetID: Int64) throws(LibraryError) -> AudioMetadata? {
        try read { db in try AudioMetadata.fetchOne(db, key: assetID) }
    }

    // MARK: Segments

    /// Replaces an asset's segments with a new analysis (inside the caller's transaction).
    static func replaceSegments(_ db: Database, assetID: Int64, with segments: [AssetTemporalSegment]) throws {
        try AssetTemporalSegment.filter(AssetTemporalSegment.Columns.assetID == assetID).deleteAll(db)
        for var segment in segments {
            segment.id = nil
            segment.assetID = assetID
            try segment.insert(db)
        }
        try replaceOpeningHash(db, assetID: assetID, segments: segments)
    }

    /// Replaces an asset's loops with a new search (inside the caller's transaction).
    static func replaceLoops(_ db: Database, assetID: Int64, with loops: [AssetLoop]) throws {
        try AssetLoop.filter(AssetLoop.Columns.assetID == assetID).deleteAll(db)
        for (index, var loop) in loops.enumerated() {
            loop.id = nil
            loop.assetID = assetID
            loop.loopIndex = index
            try loop.insert(db)
        }
    }

    public func loops(assetID: Int64) throws(LibraryError) -> [AssetLoop] {
        try read { db in
            try AssetLoop.filter(AssetLoop.Columns.assetID == assetID).order(AssetLoop.Columns.loopIndex).fetchAll(db)
        }
    }

    public func segments(assetID: Int64) throws(LibraryError) -> [AssetTemporalSegment] {
        try read { db in
            try AssetTemporalSegment.filter(AssetTemporalSegment.Columns.assetID == assetID)
                .order(AssetTemporalSegment.Columns.segmentIndex).fetchAll(db)
        }
    }
}

extension SQLiteLibraryStore {
    /// Points an asset at its poster (inside the caller's transaction).
    static func setThumbnail(_ db: Database, assetID: Int64, path: String) throws {
        try db.execute(sql: "UPDATE assets SET thumbnail_path = ? WHERE id = ?", arguments: [path, assetID])
    }

    /// Records where an asset can be fetched from, unless it already has a URL.
    public func rememberRemoteURL(_ url: String, assetID: Int64) throws(LibraryError) {
        try write { db in
            try db.execute(sql: "UPDATE assets SET remote_url = COALESCE(remote_url, ?) WHERE id = ?", arguments: [url, assetID])
        }
    }

    public func setSyncStatus(_ status: Asset.SyncStatus, assetID: Int64) throws(LibraryError) {
        try write { db in
            try db.execute(sql: "UPDATE assets SET sync_status = ? WHERE id = ?", arguments: [status.rawValue, assetID])
        }
    }

    public func recordAccess(assetID: Int64) throws(LibraryError) {
        try write { db in
            try db.execute(sql: "UPDATE assets SET last_accessed_at = ? WHERE id = ?", arguments: [Date(), assetID])
        }
    }

    /// The asset downloaded from this URL, if any.
    public func asset(remoteURL: String) throws(LibraryError) -> Asset? {
        try read { db in try Asset.filter(sql: "remote_url = ?", arguments: [remoteURL]).fetchOne(db) }.map(files.resolved)
    }
}
