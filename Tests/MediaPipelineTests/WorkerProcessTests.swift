import Foundation
import MediaLibrary
import MediaTestSupport
import Testing

/// Real `pixsim-media worker` processes on a real PostgreSQL: killed with SIGKILL mid-job, and on three
/// "hosts" (network namespaces) one of which loses its link mid-job. No mock: the checks read the queue
/// back through `psql`.
@Suite("Worker processes", .serialized) struct WorkerProcessTests {
    /// A running `pixsim-media worker`, its stderr kept in a file.
    final class WorkerProcess {
        let process = Process()
        let log: URL

        init(_ arguments: [String], prefix: [String] = [], folder: URL) throws {
            log = folder.appendingPathComponent("worker-\(UUID().uuidString.prefix(8)).log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            if prefix.isEmpty {
                process.executableURL = TestMedia.cliExecutable
                process.arguments = ["worker"] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: prefix[0])
                process.arguments = Array(prefix.dropFirst()) + [TestMedia.cliExecutable.path, "worker"] + arguments
            }
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func kill9() {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }

        func terminate() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    static func waitUntil(seconds: Double = 60, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw PostgresTestServer.Failure(description: "timed out waiting: \(what)") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// SIGKILL a worker holding a job, twice: the jobs it held are taken again once their lease expires,
    /// and every job completes exactly once, with one asset per clip in the library.
    @Test(.needsFFmpeg) func killNineMidJobTwice() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let database = String(url.split(separator: "/").last!)
        let files = try TestMedia.makeTemporaryDirectory("pixsim-kill9")
        let inbox = files.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let clips = try (0..<10).map { index in
            try TestMedia.makeClip(at: inbox.appendingPathComponent("clip-\(index).mp4"), seconds: 1 + Double(index % 3) / 2,
                                   width: 160 + 16 * index, height: 120, audio: false)
        }
        let library = "\(url)?files=\(files.path)"
        let enqueued = try TestMedia.cli(["enqueue", "--library", library, "--json"] + clips.map(\.path))
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        #expect(try server.psql("SELECT count(*) FROM media_jobs WHERE state = 'queued'", database: database) == "10")

        let arguments = ["--library", library, "--lease", "2", "--poll-interval", "0.2"]
        var killedJobs: [String] = []
        var victims = 0
        while killedJobs.count < 2 && victims < 6 {
            let victim = try WorkerProcess(arguments, folder: files)
            victims += 1
            // Kill it while it holds a job (the row says so; after SIGKILL nothing can change it but the rescue).
            try Self.waitUntil("worker \(victim.pid) holds a job") {
                !(try server.psql("SELECT id FROM media_jobs WHERE state = 'running' AND lease_owner LIKE '%:\(victim.pid)'",
                                  database: database)).isEmpty
            }
            victim.kill9()
            // A job of a second can end between the look and the kill on a loaded machine: then this worker
            // died between jobs, which tests nothing, and another is started.
            let stillHeld = try server.psql(
                "SELECT id FROM media_jobs WHERE state = 'running' AND lease_owner LIKE '%:\(victim.pid)'", database: database)
            if !stillHeld.isEmpty { killedJobs.append(stillHeld) }
        }
        #expect(killedJobs.count == 2, "two workers killed mid-job in \(victims) tries")
        let survivors = try (0..<2).map { _ in try WorkerProcess(arguments, folder: files) }
        defer { survivors.forEach { $0.terminate() } }
        try Self.waitUntil(seconds: 120, "every job done") {
            try server.psql("SELECT count(*) FROM media_jobs WHERE state = 'succeeded'", database: database) == "10"
        }
        survivors.forEach { $0.terminate() }
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state", database: database) == "succeeded|10")
        for id in killedJobs {
            // Tried again after its worker died (the attempt it died in counts).
            let attempts = Int(try server.psql("SELECT attempts FROM media_jobs WHERE id = \(id)", database: database)) ?? 0
            #expect(attempts >= 2)
        }
        // One asset per clip, each recorded once: the library passes its own checks.
        let store = try PostgresLibraryStore.open(PostgresLocation(url: url, files: files.path))
        let assets = try store.assets()
        #expect(assets.count == 10)
        #expect(Set(assets.map(\.sha256)).count == 10)
        #expect(try server.psql("SELECT count(DISTINCT asset_id) FROM media_jobs", database: database) == "10")
        for survivor in survivors { #expect(survivor.output.contains("succeeded in")) }
    }

    /// Three worker hosts in network namespaces, PostgreSQL on the host side of their veth links, one shared
    /// files folder. One host's link is cut while it holds a job: its lease expires and the others finish
    /// the job; when the link returns, its late completion is refused.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")))
    func threeHostsOneCutOff() throws {
        let server = try PostgresTestServer(listenAddresses: "*")
        defer { server.stop() }
        let url = try server.createDatabase("hosts")
        _ = url
        let files = try TestMedia.makeTemporaryDirectory("pixsim-hosts")
        let network = try TestNetwork(hosts: 3)
        defer { network.remove() }

        // Migrate and enqueue from here (loopback), as an operator would.
        let local = "\(server.url(database: "hosts"))?files=\(files.path)"
        let sources = (0..<24).map { "https://media.invalid/clip-\($0).mp4" }
        let enqueued = try TestMedia.cli(["enqueue", "--library", local, "--json"] + sources)
        #expect(enqueued.status == 0, "\(enqueued.stderr)")

        let workers = try (0..<3).map { index in
            let remote = "postgres://\(server.user):\(server.password)@\(network.serverAddress(host: index)):\(server.port)/hosts?files=\(files.path)"
            return try WorkerProcess(["--library", remote, "--noop", "--noop-seconds", "0.4", "--lease", "2", "--poll-interval", "0.2"],
                                     prefix: ["/usr/sbin/ip", "netns", "exec", network.namespaces[index]], folder: files)
        }
        defer { workers.forEach { $0.terminate() } }
        let cut = workers[1]
        var held = ""
        try Self.waitUntil("host 2 holds a job") {
            held = try server.psql("SELECT id FROM media_jobs WHERE state = 'running' AND lease_owner LIKE '%:\(cut.pid)'",
                                   database: "hosts")
            return !held.isEmpty
        }
        try network.setLink(host: 1, up: false)
        // The others rescue its job once the lease expires and finish everything.
        try Self.waitUntil(seconds: 60, "all jobs done by the two hosts left") {
            try server.psql("SELECT count(*) FROM media_jobs WHERE state = 'succeeded'", database: "hosts") == "24"
        }
        let taken = try server.psql("SELECT attempts, lease_owner NOT LIKE '%:\(cut.pid)' FROM media_jobs WHERE id = \(held)",
                                    database: "hosts")
        #expect(taken == "2|t")
        try network.setLink(host: 1, up: true)
        try Self.waitUntil(seconds: 60, "the cut host's late completion is refused") {
            cut.output.contains("job \(held) result refused")
        }
        workers.forEach { $0.terminate() }
        // Nothing written twice: the row still names the host that finished it, attempts unchanged.
        #expect(try server.psql("SELECT attempts, lease_owner NOT LIKE '%:\(cut.pid)' FROM media_jobs WHERE id = \(held)",
                                database: "hosts") == "2|t")
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state", database: "hosts") == "succeeded|24")
        for worker in [workers[0], workers[2]] { #expect(worker.output.contains("succeeded in")) }
    }
}

/// Network namespaces `pgq-<run>-<n>`, each joined to the host by a veth pair on 10.231.x.0/24 of its own;
/// removed by ``remove()`` (also when the test fails: call it from a `defer`).
final class TestNetwork {
    let run = String(UUID().uuidString.prefix(4)).lowercased()
    private(set) var namespaces: [String] = []
    private let base = Int.random(in: 1...80) * 3

    init(hosts: Int) throws {
        do {
            for index in 0..<hosts {
                let namespace = "pgq-\(run)-\(index)"
                try Self.ip(["netns", "add", namespace])
                namespaces.append(namespace)
                let (hostSide, inside) = links(index)
                try Self.ip(["link", "add", hostSide, "type", "veth", "peer", "name", inside])
                try Self.ip(["link", "set", inside, "netns", namespace])
                try Self.ip(["addr", "add", "\(serverAddress(host: index))/24", "dev", hostSide])
                try Self.ip(["link", "set", hostSide, "up"])
                try Self.ip(["netns", "exec", namespace, "ip", "addr", "add", "10.231.\(base + index).2/24", "dev", inside])
                try Self.ip(["netns", "exec", namespace, "ip", "link", "set", inside, "up"])
                try Self.ip(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// The address of PostgreSQL as host `index` sees it: the host side of its veth.
    func serverAddress(host index: Int) -> String { "10.231.\(base + index).1" }

    private func links(_ index: Int) -> (String, String) { ("pgqh\(run)\(index)", "pgqn\(run)\(index)") }

    func setLink(host index: Int, up: Bool) throws {
        try Self.ip(["link", "set", links(index).0, up ? "up" : "down"])
    }

    func remove() {
        for (index, namespace) in namespaces.enumerated() {
            _ = try? TestMedia.run("/usr/sbin/ip", ["link", "del", links(index).0], allowFailure: true)
            _ = try? TestMedia.run("/usr/sbin/ip", ["netns", "del", namespace], allowFailure: true)
        }
        namespaces = []
    }

    private static func ip(_ arguments: [String]) throws {
        try TestMedia.run("/usr/sbin/ip", arguments)
    }
}
