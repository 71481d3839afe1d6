import Foundation
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// What only the PostgreSQL engine has: its migration record, and the faults
/// of a database across a network (each one clear line, never a password).
@Suite struct PostgresLibraryStoreTests {
    static func location(_ url: String, files: URL) throws(LibraryError) -> PostgresLocation {
        try PostgresLocation(url: url, files: files.path)
    }

    @Test func migrationsAreRecordedAndAppliedOnceByConcurrentOpeners() async throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = try Self.location(url, files: folder)
        // Four workers starting at once: the advisory lock lets one migrate, the others find it done.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                        Thread.detachNewThread {
                            do { _ = try PostgresLibraryStore.open(location); continuation.resume() } catch { continuation.resume(throwing: error) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let database = String(url.split(separator: "/").last!)
        let applied = try server.psql("SELECT identifier FROM pixsim_schema_migrations ORDER BY applied_at, identifier", database: database)
        #expect(Set(applied.split(separator: "\n").map(String.init)) == Set(PostgresMigrations.all.map(\.identifier)))
        #expect(applied.split(separator: "\n").count == PostgresMigrations.all.count)
        let columns = try server.psql("""
            SELECT data_type FROM information_schema.columns WHERE table_name = 'assets' AND column_name IN ('id', 'created_at') ORDER BY column_name
            """, database: database)
        #expect(columns == "timestamp with time zone\nbigint")
    }

    @Test func aNewerSchemaIsRefusedNotMigratedDown() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try PostgresLibraryStore.open(Self.location(url, files: folder))
        let database = String(url.split(separator: "/").last!)
        try server.psql("INSERT INTO pixsim_schema_migrations (identifier) VALUES ('v99: from the future')", database: database)
        do {
            _ = try PostgresLibraryStore.open(Self.location(url, files: folder))
            Issue.record("a newer schema was accepted")
        } catch {
            #expect(error.message.contains("newer than this pixsim-media"))
            #expect(error.message.contains("v99: from the future"))
        }
    }

    @Test func anUnreachableServerFailsWithinTheConnectTimeout() throws {
        let port = try PostgresTestServer.freePort()
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = Date()
        do {
            _ = try PostgresLibraryStore.open(Self.location("postgres://u:secret-pw@127.0.0.1:\(port)/media", files: folder))
            Issue.record("connected to nothing")
        } catch {
            #expect(error.subject == "127.0.0.1:\(port)")
            #expect(error.message.contains("connection refused"), "\(error)")
            #expect(!error.description.contains("secret-pw"))
        }
        #expect(Date().timeIntervalSince(started) < 10)
        // A black-holed address (TEST-NET-1): no answer at all, so the connect timeout decides.
        let slow = Date()
        do {
            _ = try PostgresLibraryStore.open(Self.location("postgres://u@192.0.2.1:5432/media?connect_timeout=2", files: folder))
            Issue.record("connected to a black hole")
        } catch {
            #expect(error.subject == "192.0.2.1:5432")
            #expect(error.message.contains("cannot connect"), "\(error)")
        }
        #expect(Date().timeIntervalSince(slow) < 8)
    }

    @Test func aWrongPasswordOrAMissingDatabaseIsOneClearLine() throws {
        let server = try PostgresTestServer.shared()
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try server.createDatabase()
        let wrong = url.replacingOccurrences(of: server.password, with: "not-the-password")
        do {
            _ = try PostgresLibraryStore.open(Self.location(wrong, files: folder))
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.message.contains("authentication failed"), "\(error)")
            #expect(!error.description.contains("not-the-password"))
        }
        do {
            _ = try PostgresLibraryStore.open(Self.location(server.url(database: "no_such_db"), files: folder))
            Issue.record("a missing database was accepted")
        } catch {
            #expect(error.message.contains("no such database"), "\(error)")
            #expect(error.message.contains("no_such_db"))
            #expect(!error.description.contains(server.password))
        }
    }

    @Test func anUnwritableFileStoreIsRefusedUpFront() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        // A regular file where the store's folder should be: nothing can be created under it (even as root).
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        do {
            _ = try PostgresLibraryStore.open(Self.location(url, files: blocker.appendingPathComponent("store")))
            Issue.record("an unwritable file store was accepted")
        } catch {
            #expect(error.code == .storage)
            #expect(error.subject.hasPrefix(blocker.path))
        }
    }

    /// Called from a cooperative-pool thread while every other pool thread is blocked too:
    /// the store's work runs on its own event loop, so the calls still finish.
    @Test func blockingCallsFromEveryPoolThreadDoNotDeadlock() async throws {
        let (store, folder) = try StoreEngine.postgres.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let width = ProcessInfo.processInfo.activeProcessorCount * 2
        try await withThrowingTaskGroup(of: Void.self) { group in
            for seed in 0..<width {
                group.addTask { _ = try LibraryStoreTests.addAsset(store, 5000 + seed) }
            }
            try await group.waitForAll()
        }
        #expect(try store.assets(mediaType: nil, limit: nil).count == width)
    }
}
