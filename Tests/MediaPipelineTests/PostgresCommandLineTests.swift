import Foundation
import MediaTestSupport
import Testing

/// The library commands on a PostgreSQL library (`--library postgres://… --files DIR`):
/// the same documents as on a folder library.
@Suite struct PostgresCommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsFFmpeg)
    func ingestShowClipsBranchLineageAndMatch() throws {
        let binary = try PipelineFixture.executable().path
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let folder = try TestMedia.makeTemporaryDirectory("pgcli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store").path
        let library = ["--library", url, "--files", store]
        let parent = try PipelineFixture.makeClip(folder.appendingPathComponent("parent.mp4"), seed: 41, seconds: 2)
        let child = try PipelineFixture.makeClip(folder.appendingPathComponent("child.mp4"), seed: 42)
        let manifest = folder.appendingPathComponent("gen.json")
        try Data("""
            {"provider_id": "pixverse", "provider_job_id": "pg-1", "operation_type": "video_extend",
             "result": {"path": "child.mp4"}, "parents": [{"path": "parent.mp4", "role": "source_video", "end_time": 1}]}
            """.utf8).write(to: manifest)

        let ingest = try json(TestMedia.run(binary, ["ingest"] + library + ["--manifest", manifest.path, "--stages", "probe,segments", "--json"]).stdout)
        #expect(ingest["processed"] as? Int == 1 && ingest["failed"] as? Int == 0)
        let item = try #require((ingest["items"] as? [[String: Any]])?.first)
        let childID = try #require(item["asset_id"] as? Int)
        #expect(item["sha256"] as? String == (try PipelineFixture.sha256(child)))
        // The stored file is in the shared folder, under its content name.
        let sha = try PipelineFixture.sha256(child)
        #expect(FileManager.default.fileExists(atPath: "\(store)/files/\(sha.prefix(2))/\(sha).mp4"))
        // And the rows are in PostgreSQL (read independently, with psql).
        let database = String(url.split(separator: "/").last!)
        #expect(try server.psql("SELECT count(*) FROM assets", database: database) == "2")
        #expect(try server.psql("SELECT frame_count FROM assets WHERE id = \(childID)", database: database) == "25")

        let show = try json(TestMedia.run(binary, ["assets", "show"] + library + ["\(childID)", "--json"]).stdout)
        #expect((show["asset"] as? [String: Any])?["frame_count"] as? Int == 25)
        #expect((show["parents"] as? [[String: Any]])?.count == 1)

        let lineage = try json(TestMedia.run(binary, ["lineage"] + library + ["\(childID)", "--json"]).stdout)
        let nodes = try #require(lineage["nodes"] as? [[String: Any]])
        let depths: [Int?] = nodes.map { $0["depth"] as? Int }
        #expect(depths == [0, 1])
        let parentSHA = try PipelineFixture.sha256(parent)
        let lastSHA = nodes.last?["sha256"] as? String
        #expect(lastSHA == parentSHA)

        let parentID = try #require(nodes.last?["asset_id"] as? Int)
        _ = try TestMedia.run(binary, ["clips", "create"] + library + ["\(parentID)", "--start", "0.5", "--end", "1.5", "--name", "middle", "--json"])
        let clips = try TestMedia.run(binary, ["clips", "list"] + library + ["\(parentID)", "--json"]).stdout
        let clipList = try #require(try JSONSerialization.jsonObject(with: Data(clips.utf8)) as? [[String: Any]])
        #expect(clipList.count == 1)
        let clipStart = clipList.first?["start_time"] as? Double
        #expect(clipStart == 0.5)

        _ = try TestMedia.run(binary, ["branch", "create"] + library + ["\(parentID)", "--at", "1", "--name", "fork", "--json"])
        let branches = try TestMedia.run(binary, ["branch", "list"] + library + ["\(parentID)", "--json"]).stdout
        #expect(branches.contains("\"fork\""))
        // The branch graph a game loads, from PostgreSQL: file paths relative to the shared store.
        let graph = try json(TestMedia.run(binary, ["branch", "export"] + library + ["\(parentID)"]).stdout)
        #expect(graph["root_asset_id"] as? Int == parentID)
        let root = try #require((graph["assets"] as? [[String: Any]])?.first)
        #expect((root["branches"] as? [[String: Any]])?.first?["name"] as? String == "fork")
        let file = try #require(root["file"] as? String)
        #expect(FileManager.default.fileExists(atPath: "\(store)/\(file)") && !file.hasPrefix("/"))

        // The ingest ran segments on the child only; run them on the parent, then match.
        _ = try TestMedia.run(binary, ["ingest"] + library + [parent.path, "--stages", "probe,segments", "--json"])
        let match = try json(TestMedia.run(binary, ["match"] + library + ["\(parentID)", "--max-distance", "64", "--json"]).stdout)
        let candidates = try #require(match["candidates"] as? [[String: Any]])
        let candidateIDs: [Int?] = candidates.map { $0["asset_id"] as? Int }
        #expect(candidateIDs == [childID])

        // An unreachable server: one line naming host and port, exit 1, no hang.
        let port = try PostgresTestServer.freePort()
        let down = try TestMedia.run(binary, ["assets", "list", "--library", "postgres://u:pw-secret@127.0.0.1:\(port)/x", "--files", store],
                                     allowFailure: true)
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("error: 127.0.0.1:\(port): cannot connect to PostgreSQL"))
        #expect(down.stderr.split(separator: "\n").count == 1)
        #expect(!down.stderr.contains("pw-secret"))
    }

    /// `batch` on a PostgreSQL library goes through the job queue: its items become jobs, this process works
    /// them (a bad file fails alone), and the report is the folder batch's; `--enqueue-only` only enqueues.
    @Test(.needsFFmpeg) func batchGoesThroughTheQueue() throws {
        let binary = try PipelineFixture.executable().path
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let database = String(url.split(separator: "/").last!)
        let folder = try TestMedia.makeTemporaryDirectory("pgbatch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        for seed in 1...3 { try PipelineFixture.makeClip(inbox.appendingPathComponent("clip\(seed).mp4"), seed: 60 + seed) }
        try Data("not a video".utf8).write(to: inbox.appendingPathComponent("broken.mp4"))
        let library = ["--library", url, "--files", folder.appendingPathComponent("store").path]

        let run = try TestMedia.run(binary, ["batch"] + library + [inbox.path, "--jobs", "2", "--stages", "probe", "--json"], allowFailure: true)
        #expect(run.status == 1, "the broken file fails the batch")
        let document = try json(run.stdout)
        let items = try #require(document["items"] as? [[String: Any]])
        let statuses = Dictionary(uniqueKeysWithValues: items.compactMap { item -> (String, String)? in
            guard let path = item["path"] as? String, let status = item["status"] as? String else { return nil }
            return (URL(fileURLWithPath: path).lastPathComponent, status)
        })
        #expect(statuses == ["clip1.mp4": "succeeded", "clip2.mp4": "succeeded", "clip3.mp4": "succeeded", "broken.mp4": "failed"])
        #expect(run.stderr.contains("broken.mp4"))
        // Every item was a job, and every job is finished; the assets are in PostgreSQL.
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state ORDER BY state", database: database)
                == "failed|1\nsucceeded|3")
        #expect(try server.psql("SELECT count(*) FROM assets WHERE frame_count = 25", database: database) == "3")

        // --enqueue-only: jobs for workers, nothing run here.
        let second = folder.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        try PipelineFixture.makeClip(second.appendingPathComponent("later.mp4"), seed: 70)
        let queued = try TestMedia.run(binary, ["batch"] + library + [second.path, "--enqueue-only", "--quiet"])
        #expect(queued.status == 0)
        #expect(try server.psql("SELECT count(*) FROM media_jobs WHERE state = 'queued' AND source LIKE '%later.mp4'", database: database) == "1")
        #expect(try server.psql("SELECT count(*) FROM assets", database: database) == "3")

        // A list naming one file twice: one job, both items report it, the batch ends.
        let list = folder.appendingPathComponent("twice.txt")
        let again = inbox.appendingPathComponent("clip1.mp4").path
        try Data("\(again)\n\(again)\n".utf8).write(to: list)
        let twice = try json(TestMedia.run(binary, ["batch"] + library + [list.path, "--stages", "probe", "--json"]).stdout)
        let twiceItems = try #require(twice["items"] as? [[String: Any]])
        #expect(twiceItems.count == 2 && twiceItems.allSatisfy { $0["status"] as? String == "succeeded" })

        // A folder library has no queue: one clear line, exit 1.
        let refused = try TestMedia.run(binary, ["batch", "--library", folder.appendingPathComponent("lib").path, second.path, "--enqueue-only"],
                                        allowFailure: true)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--enqueue-only needs a PostgreSQL library"))
    }

    /// `watch` on a PostgreSQL library: each settled item becomes a job, is worked, and is filed in done/.
    @Test(.needsFFmpeg) func watchGoesThroughTheQueue() throws {
        let binary = try PipelineFixture.executable()
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let database = String(url.split(separator: "/").last!)
        let folder = try TestMedia.makeTemporaryDirectory("pgwatch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try PipelineFixture.makeClip(inbox.appendingPathComponent("clip.mp4"), seed: 77)
        let watcher = Process()
        watcher.executableURL = binary
        watcher.arguments = ["watch", "--library", url, "--files", folder.appendingPathComponent("store").path,
                             "--interval", "0.1", "--settle", "0.3", "--stages", "probe", inbox.path]
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer { if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) }; watcher.waitUntilExit() }
        let filed = inbox.appendingPathComponent("done/clip.mp4")
        let deadline = Date().addingTimeInterval(90)
        while !FileManager.default.fileExists(atPath: filed.path) && Date() < deadline && watcher.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(FileManager.default.fileExists(atPath: filed.path), "the item was filed in done/")
        kill(watcher.processIdentifier, SIGTERM)
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state", database: database) == "succeeded|1")
        #expect(try server.psql("SELECT count(*) FROM media_jobs WHERE source LIKE '%/inbox/clip.mp4'", database: database) == "1")
        #expect(try server.psql("SELECT frame_count FROM assets", database: database) == "25")
    }

    /// `watch --enqueue-only`: items become jobs and stay in the inbox (the jobs read them there) until a
    /// worker, another process here, finished them; then each is filed in done/ or failed/ with its reason.
    @Test(.needsFFmpeg) func watchEnqueueOnlyFilesWhatWorkersFinished() throws {
        let binary = try PipelineFixture.executable()
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let database = String(url.split(separator: "/").last!)
        let folder = try TestMedia.makeTemporaryDirectory("pgwatchq")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try PipelineFixture.makeClip(inbox.appendingPathComponent("clip.mp4"), seed: 78)
        try Data(repeating: 0x42, count: 4096).write(to: inbox.appendingPathComponent("bad.mp4"))
        let store = folder.appendingPathComponent("store").path
        func launch(_ arguments: [String]) throws -> Process { try PipelineFixture.launch(binary, arguments) }
        let watcher = try launch(["watch", "--library", url, "--files", store, "--enqueue-only", "--interval", "0.1", "--settle", "0.3",
                                  "--stages", "probe", inbox.path])
        defer { if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) }; watcher.waitUntilExit() }
        func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return try condition()
        }
        // (The watcher creates the tables as it starts: until then the query fails.)
        #expect(waitFor(60) { (try? server.psql("SELECT count(*) FROM media_jobs WHERE state = 'queued'", database: database)) == "2" })
        // No worker yet: both wait in the inbox, and scanning again does not enqueue them again.
        Thread.sleep(forTimeInterval: 1)
        #expect(try server.psql("SELECT count(*) FROM media_jobs", database: database) == "2")
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("clip.mp4").path))
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("bad.mp4").path))
        #expect(try server.psql("SELECT count(*) FROM assets", database: database) == "0", "the watcher worked nothing itself")

        let worker = try launch(["worker", "--library", url, "--files", store, "--poll-interval", "0.2"])
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) }; worker.waitUntilExit() }
        let done = inbox.appendingPathComponent("done/clip.mp4").path
        let failed = inbox.appendingPathComponent("failed/bad.mp4").path
        #expect(waitFor(90) { FileManager.default.fileExists(atPath: done) && FileManager.default.fileExists(atPath: failed) })
        let reason = try String(contentsOfFile: failed + ".error.txt", encoding: .utf8)
        #expect(reason.contains("bad.mp4") || reason.lowercased().contains("invalid"), "the failure's reason: \(reason)")
        for process in [watcher, worker] {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state ORDER BY state", database: database) == "failed|1\nsucceeded|1")
        #expect(try server.psql("SELECT frame_count FROM assets", database: database) == "25")

        // A folder library has no queue: one clear line, exit 1.
        let refused = try TestMedia.run(binary.path, ["watch", "--library", folder.appendingPathComponent("lib").path, "--enqueue-only", inbox.path],
                                        allowFailure: true)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--enqueue-only needs a PostgreSQL library"))
    }
}
