import Foundation
import GRDB
import MediaLibrary
import MediaTestSupport
import Testing

/// Issue 15 items 7 and 8: one asset from several generations keeps every
/// link, and a database that is not a library is refused untouched.
@Suite struct LibraryHardeningTests {
    @Test func anAssetFromTwoGenerationsKeepsBoth() throws {
        let folder = try TestMedia.makeTemporaryDirectory("links")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteLibraryStore.open(folder: folder)
        let asset = try store.insertOrFetchAsset(Asset(sha256: String(repeating: "a", count: 64), mediaType: "video", fileSizeBytes: 1)).asset
        func generation(_ job: String) throws -> Generation {
            try store.recordGeneration(Generation(providerID: "p", providerJobID: job, operationType: "text_to_video", prompt: job,
                                                  params: nil, resultAssetID: asset.assetID, submittedAt: nil, completedAt: nil), parents: [])
        }
        let first = try generation("one"), second = try generation("two")
        #expect(try store.asset(id: asset.assetID)?.sourceGenerationID == first.id)
        #expect(try store.generations(ofAsset: asset.assetID).map(\.id) == [first.id, second.id])
    }

    @Test func aForeignDatabaseIsRefusedUntouched() throws {
        let folder = try TestMedia.makeTemporaryDirectory("foreign")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(SQLiteLibraryStore.databaseFileName).path
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')") }
            try queue.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: LibraryError.self) { try SQLiteLibraryStore.open(folder: folder) }
        #expect(error?.message.contains("is not a pixsim-media library") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [SQLiteLibraryStore.databaseFileName])

        // A library made here is recognised on the next open, by its application id.
        let library = folder.appendingPathComponent("lib")
        _ = try SQLiteLibraryStore.open(folder: library)
        _ = try SQLiteLibraryStore.open(folder: library)
        let id = try DatabaseQueue(path: library.appendingPathComponent(SQLiteLibraryStore.databaseFileName).path).read { db in
            try Int32.fetchOne(db, sql: "PRAGMA application_id")
        }
        #expect(id == 0x5058_4D4C)
    }
}
