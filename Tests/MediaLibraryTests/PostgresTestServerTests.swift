import Foundation
import MediaTestSupport
import Testing

/// The throwaway cluster every PostgreSQL test stands on: it must really start, answer SQL, refuse a wrong
/// password, survive a restart, and go away.
@Suite("PostgreSQL test server") struct PostgresTestServerTests {
    @Test func startsAnswersRestartsAndStops() throws {
        let server = try PostgresTestServer()
        let url = try server.createDatabase("smoke")
        #expect(url == "postgres://pixsim:\(server.password)@127.0.0.1:\(server.port)/smoke")
        #expect(try server.psql("SELECT 40 + 2", database: "smoke") == "42")
        try server.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (7)", database: "smoke")
        try server.restart()
        #expect(try server.psql("SELECT x FROM t", database: "smoke") == "7")
        // Host connections need the password: a wrong one is refused.
        let refused = try TestMedia.run("/usr/lib/postgresql/15/bin/psql",
                                        ["postgres://pixsim:wrong@127.0.0.1:\(server.port)/smoke", "-c", "SELECT 1"],
                                        allowFailure: true)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("password authentication failed"))
        let folder = server.folder
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
