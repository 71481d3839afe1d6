import Foundation
import GRDB
@testable import MediaLibrary
import MediaPipeline
import MediaTestSupport
import Testing

/// The disk and the database failing under the command line (issue 15): a full disk during ingest, clip,
/// concat and the images, a read-only library, a database locked past the busy timeout. Each gets one
/// error line naming the input (or the library, when the library itself is what fails) and the reason and
/// a non-zero exit, leaves nothing half-written, and a rerun once the fault is gone works without `--retry-failed`.
@Suite(.serialized, .needsFFmpeg, .enabled(if: ScratchMount.isAvailable, "needs root to mount a tmpfs"))
struct StorageFaultTests {
    /// Runs the built binary with extra environment variables.
    static func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> (stdout: String, stderr: String, status: Int32) {
        let binary = try PipelineFixture.executable()
        return try TestMedia.run("env", environment.map { "\($0.key)=\($0.value)" } + [binary.path] + arguments, allowFailure: true)
    }

    static func errorLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
    }

    static func rows(_ library: URL, _ sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: library.appendingPathComponent("library.sqlite").path)
        return try queue.read { db in try String.fetchAll(db, sql: sql) }
    }

    @Test func ingestOnAFullDiskFailsCleanlyAndTheRerunDoesIt() throws {
        let folder = try TestMedia.makeTemporaryDirectory("full-ingest")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("big.mp4"), seconds: 2, width: 640, height: 480)
        let size = try #require(FileManager.default.attributesOfItem(atPath: clip.path)[.size] as? Int)
        try ScratchMount.with(size: "4m") { mount in
            let library = mount.folder.appendingPathComponent("library")
            _ = try SQLiteLibraryStore.open(folder: library)
            // Room for the database's few writes, not for the copy of the clip.
            try mount.fill(leaving: min(size / 2, 256 << 10))
            let failed = try Self.cli(["ingest", clip.path, "--library", library.path])
            #expect(failed.status != 0)
            let lines = Self.errorLines(failed.stderr)
            #expect(lines.count == 1, "\(failed.stderr)")
            #expect(lines.first?.contains(clip.path) == true && lines.first?.contains("No space left on device") == true, "\(failed.stderr)")
            #expect(try mount.files().allSatisfy { $0.hasPrefix("library/library.sqlite") || $0 == "library/.library.lock" },
                    "a partial file stayed: \((try? mount.files()) ?? [])")

            // The fault removed: the same file goes in, no --retry-failed needed (it was the disk's fault).
            try mount.unfill()
            #expect(try Self.rows(library, "SELECT sha256 FROM assets").isEmpty)
            let rerun = try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "sync,probe,thumbnail"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try Self.rows(library, "SELECT sync_status FROM assets") == ["stored"])
        }
    }

    @Test func aStageThatCannotWriteIntoTheLibraryIsTriedAgain() throws {
        let folder = try TestMedia.makeTemporaryDirectory("full-stage")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Noise: each of its keyframes is a JPEG of about 100 KB.
        let clip = folder.appendingPathComponent("noise.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "nullsrc=s=1920x1080:r=5:d=1,geq=lum='random(1)*255':cb=128:cr=128",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.path])
        try ScratchMount.with(size: "32m") { mount in
            let library = mount.folder.appendingPathComponent("library")
            #expect(try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "sync,probe"]).status == 0)
            // Room for the database (its shared memory, a few writes) and a keyframe or two, not for all four.
            try mount.fill(leaving: 256 << 10)
            let failed = try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "keyframes"])
            #expect(failed.status != 0)
            #expect(Self.errorLines(failed.stderr).count == 1, "\(failed.stderr)")
            #expect(failed.stderr.contains("No space left on device"), "\(failed.stderr)")
            #expect(try mount.files().filter { $0.contains("keyframes") || $0.contains(".partial") }.isEmpty, "\((try? mount.files()) ?? [])")
            try mount.unfill()
            let rerun = try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "keyframes"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try Self.rows(library, "SELECT status FROM stage_runs WHERE stage = 'keyframes' ORDER BY id") == ["interrupted", "succeeded"])
        }
    }

    @Test func clipConcatAndImagesOnAFullDiskSayWhyAndLeaveNothing() throws {
        let folder = try TestMedia.makeTemporaryDirectory("full-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TestMedia.makeClip(at: folder.appendingPathComponent("a.mp4"), seconds: 2)
        let second = try TestMedia.makeClip(at: folder.appendingPathComponent("b.mp4"), seconds: 2)
        try ScratchMount.with(size: "16k") { mount in
            let out = mount.folder.path
            let commands: [[String]] = [
                ["clip", first.path, "--start", "0", "--end", "2", "-o", "\(out)/clip.mp4"],
                ["clip", first.path, "--start", "0.5", "--end", "1.5", "--mode", "exact", "--preset", "ultrafast", "-o", "\(out)/exact.mp4"],
                ["concat", first.path, second.path, "-o", "\(out)/joined.mp4"],
                ["concat", first.path, second.path, "--mode", "reencode", "-o", "\(out)/reencoded.mp4"],
                ["thumbnail", first.path, "--width", "1920", "-o", "\(out)/poster.jpg"],
                ["storyboard", first.path, "--width", "1920", "-o", "\(out)/board.png"],
            ]
            for command in commands {
                let result = try Self.cli(command + ["--json"])
                #expect(result.status != 0, "\(command)")
                let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                let error = document?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "output_unwritable", "\(command[0]): \(result.stdout)")
                #expect((error?["message"] as? String)?.contains("No space left on device") == true, "\(command[0]): \(result.stdout)")
                #expect(try mount.files().isEmpty, "\(command[0]) left \((try? mount.files()) ?? [])")
            }
            try mount.resize("64m")
            for command in commands {
                let result = try Self.cli(command)
                #expect(result.status == 0, "\(command[0]): \(result.stderr)")
            }
        }
    }

    @Test func aReadOnlyLibraryIsOneLineAndUntouched() throws {
        let folder = try TestMedia.makeTemporaryDirectory("read-only")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("clip.mp4"), seed: 3)
        try ScratchMount.with(size: "8m") { mount in
            let library = mount.folder.appendingPathComponent("library")
            #expect(try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "sync"]).status == 0)
            let before = try mount.files()
            try mount.setReadOnly(true)
            let failed = try Self.cli(["ingest", clip.path, "--library", library.path])
            #expect(failed.status != 0)
            #expect(Self.errorLines(failed.stderr).count == 1, "\(failed.stderr)")
            #expect(failed.stderr.contains("Read-only file system"), "\(failed.stderr)")
            try mount.setReadOnly(false)
            #expect(try mount.files() == before)
            let rerun = try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "sync,probe"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 command line"))
    func aDatabaseLockedPastTheBusyTimeoutFailsTheInputAndTheRerunWorks() throws {
        let folder = try TestMedia.makeTemporaryDirectory("locked")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("clip.mp4"), seed: 4)
        let library = folder.appendingPathComponent("library")
        _ = try SQLiteLibraryStore.open(folder: library)
        // Another process holds the write lock for 6 s; this one waits 1 s.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [library.appendingPathComponent("library.sqlite").path]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nDELETE FROM assets;\n.print locked\n.shell sleep 6\nROLLBACK;\n".utf8))
        try input.fileHandleForWriting.close()
        _ = output.fileHandleForReading.availableData  // "locked": the lock is held
        let started = Date()
        let failed = try Self.cli(["ingest", clip.path, "--library", library.path], environment: ["PIXSIM_MEDIA_BUSY_TIMEOUT": "1"])
        let waited = Date().timeIntervalSince(started)
        #expect(failed.status != 0)
        let lines = Self.errorLines(failed.stderr)
        #expect(lines.count == 1, "\(failed.stderr)")
        // Opening the library is where the lock is met: the line names the library's database and the reason.
        #expect(lines.first?.contains("library.sqlite") == true && lines.first?.contains("locked by another process") == true,
                "\(failed.stderr)")
        #expect(waited < 5, "waited \(waited) s: the busy timeout was not 1 s")
        holder.waitUntilExit()
        #expect(try FileManager.default.subpathsOfDirectory(atPath: library.appendingPathComponent("files").path).isEmpty)
        let rerun = try Self.cli(["ingest", clip.path, "--library", library.path, "--stages", "sync,probe"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.rows(library, "SELECT sync_status FROM assets") == ["stored"])
    }
}
