import Foundation

/// A throwaway PostgreSQL 15 cluster for tests: `initdb` into a temporary
/// folder, `postgres` on a free loopback port, stopped (immediately) and
/// deleted at the end of the test process.
///
/// PostgreSQL refuses to run as root, and the tests run as root in CI, so every
/// server program runs as the `postgres` user that Debian's package creates
/// (`runuser -u postgres`), in folders that user owns.
///
/// ```swift
/// let server = try PostgresTestServer.shared()
/// let url = try server.createDatabase()          // postgres://pixsim:…@127.0.0.1:PORT/test_…
/// ```
///
/// There is no mock: a test that needs PostgreSQL and cannot start it fails
/// (the error says why), it does not skip.
public final class PostgresTestServer: @unchecked Sendable {
    // Safe to share: every mutable property is guarded by `lock`.
    public let host: String
    public let port: Int
    /// A superuser with a password (host connections use SCRAM, so a wrong password is refused as in production).
    public let user = "pixsim"
    public let password = "pixsim-test-password"
    /// The cluster's folder (data, socket, log).
    public let folder: URL
    private let lock = NSLock()
    private var running = true
    private var databaseCounter = 0

    static let binaries = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin")

    /// Why the server could not be started or controlled.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Initialises and starts a new cluster.
    /// - Parameters:
    ///   - listenAddresses: `listen_addresses` (`127.0.0.1`, or `*` for tests that reach it from network namespaces).
    ///   - settings: extra `postgresql.conf` settings (`max_connections`, ...).
    public init(listenAddresses: String = "127.0.0.1", host: String = "127.0.0.1", settings: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binaries.appendingPathComponent("initdb").path) else {
            throw Failure(description: "PostgreSQL 15 is not installed (no \(Self.binaries.path)/initdb); scripts/install-deps.sh --test installs it")
        }
        self.host = host
        folder = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("pixsim-pg-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let passwordFile = folder.appendingPathComponent("password")
        try Data(password.utf8).write(to: passwordFile)
        try Self.asPostgres("/bin/chown", ["-R", "postgres:postgres", folder.path], asRoot: true)
        let data = folder.appendingPathComponent("data").path
        try Self.asPostgres(Self.binaries.appendingPathComponent("initdb").path, [
            "-D", data, "-U", user, "--pwfile", passwordFile.path, "-E", "UTF8", "--locale", "C",
            "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync",
        ])
        var conf = [
            "listen_addresses": "'\(listenAddresses)'",
            "unix_socket_directories": "'\(folder.path)'",
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "max_connections": "200",
        ]
        for (key, value) in settings { conf[key] = value }
        let confText = conf.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        let confURL = URL(fileURLWithPath: data).appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: confURL)
        handle.seekToEndOfFile()
        handle.write(Data(confText.utf8))
        try handle.close()
        // Any address may connect with the password (the network-namespace tests connect from veth addresses).
        let hba = URL(fileURLWithPath: data).appendingPathComponent("pg_hba.conf")
        let hbaHandle = try FileHandle(forWritingTo: hba)
        hbaHandle.seekToEndOfFile()
        hbaHandle.write(Data("host all all 0.0.0.0/0 scram-sha-256\n".utf8))
        try hbaHandle.close()

        var lastError: (any Error)?
        var started: Int?
        for _ in 0..<5 where started == nil {
            let candidate = try Self.freePort()
            do {
                try Self.pgCtl(folder: folder, ["-o", "-p \(candidate)", "-w", "-t", "30", "start"])
                started = candidate
            } catch {
                lastError = error  // the port was taken meanwhile: try another
            }
        }
        guard let started else {
            throw Failure(description: "cannot start PostgreSQL: \(lastError.map { "\($0)" } ?? "unknown")")
        }
        port = started
    }

    deinit { stop() }

    nonisolated(unsafe) private static var sharedServer: PostgresTestServer?
    private static let sharedLock = NSLock()

    /// One cluster per test process, started on first use and stopped when the process exits.
    public static func shared() throws -> PostgresTestServer {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let sharedServer { return sharedServer }
        let server = try PostgresTestServer()
        sharedServer = server
        atexit { PostgresTestServer.stopShared() }
        return server
    }

    private static func stopShared() {
        sharedLock.lock()
        let server = sharedServer
        sharedLock.unlock()
        server?.stop()
    }

    /// `postgres://user:password@host:port/database`.
    public func url(database: String) -> String {
        "postgres://\(user):\(password)@\(host):\(port)/\(database)"
    }

    /// Creates a new, empty database and returns its URL.
    @discardableResult
    public func createDatabase(_ name: String? = nil) throws -> String {
        let database: String
        if let name {
            database = name
        } else {
            lock.lock()
            databaseCounter += 1
            database = "test_\(databaseCounter)_\(UUID().uuidString.prefix(8).lowercased())"
            lock.unlock()
        }
        try psql("CREATE DATABASE \"\(database)\"", database: "postgres")
        return url(database: database)
    }

    /// Runs SQL through `psql` over the Unix socket (as the backend or an operator would), returning its output
    /// (tuples only, unaligned, `|` between columns).
    @discardableResult
    public func psql(_ sql: String, database: String) throws -> String {
        let result = try TestMedia.run(Self.binaries.appendingPathComponent("psql").path, [
            "-h", folder.path, "-p", "\(port)", "-U", user, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql,
        ])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Restarts the server, for reconnection tests. `crash: true` stops it as a crash would (an immediate
    /// stop: clients see their connections die; with `synchronous_commit = off`, which the throwaway cluster
    /// runs with for speed, the last fraction of a second of commits may be lost, as after a real crash);
    /// otherwise a fast stop, which keeps every commit.
    public func restart(crash: Bool = false, downFor seconds: Double = 0) throws {
        try Self.pgCtl(folder: folder, ["-m", crash ? "immediate" : "fast", "-w", "stop"])
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
        try Self.pgCtl(folder: folder, ["-o", "-p \(port)", "-w", "-t", "30", "start"])
    }

    /// Stops the server at once and deletes its folder. Idempotent.
    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        _ = try? Self.pgCtl(folder: folder, ["-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Helpers

    private static func pgCtl(folder: URL, _ arguments: [String]) throws {
        try asPostgres(binaries.appendingPathComponent("pg_ctl").path,
                       ["-D", folder.appendingPathComponent("data").path, "-l", folder.appendingPathComponent("server.log").path] + arguments)
    }

    /// Runs a program as the `postgres` user when we are root (PostgreSQL refuses root), else as ourselves.
    ///
    /// Through `python3`'s `subprocess` with `close_fds`: `pg_ctl start` leaves a server running, and a server
    /// that inherited a stray pipe descriptor of this process (Foundation's `Process` does not close them on
    /// Linux) would keep another test's pipe open for ever, and that test waiting for its end of file.
    @discardableResult
    private static func asPostgres(_ program: String, _ arguments: [String], asRoot: Bool = false) throws -> String {
        let isRoot = getuid() == 0
        if asRoot && !isRoot { return "" }  // not root: the folder is ours already
        let command = (isRoot && !asRoot) ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let launcher = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, close_fds=True).returncode)"
        return try TestMedia.run("python3", ["-c", launcher] + command).stdout
    }

    /// A loopback TCP port nobody listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
