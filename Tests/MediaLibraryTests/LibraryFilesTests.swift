import Foundation
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// Content-addressed storage: names by hash, temp-then-rename, cleanup of what killed processes left.
@Suite struct LibraryFilesTests {
    @Test func storesByContentHashOnce() throws {
        let folder = try TestMedia.makeTemporaryDirectory("files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteLibraryStore.open(folder: folder)
        let source = folder.appendingPathComponent("in.mp4")
        try Data("pretend media".utf8).write(to: source)
        let sha = "ab" + String(repeating: "c", count: 62)
        let stored = try store.files.store(copyOf: source, sha256: sha, pathExtension: "MP4")
        #expect(stored.path.hasSuffix("files/ab/\(sha).mp4"))
        #expect(try Data(contentsOf: stored) == Data("pretend media".utf8))
        // Storing the same content again keeps the one file.
        let again = try store.files.store(copyOf: source, sha256: sha, pathExtension: "mp4")
        #expect(again == stored)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.files.temporaryFolder.path).isEmpty)
        #expect(store.files.derivedPath(sha256: sha, suffix: "poster.jpg").path.hasSuffix("files/ab/\(sha).poster.jpg"))
        // A URL's odd "extension" never reaches the file name.
        #expect(!store.files.contentPath(sha256: sha, pathExtension: "mp4?x=/../y").path.contains(".."))
    }

    @Test func removesTemporaryFilesOfDeadProcessesOnly() throws {
        let folder = try TestMedia.makeTemporaryDirectory("files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteLibraryStore.open(folder: folder)
        // A process id that is not running: a finished child's.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = store.files.temporaryFolder.appendingPathComponent("\(child.processIdentifier)-1.partial.mp4")
        let live = store.files.makeTemporaryPath(pathExtension: "mp4")
        let deadBeside = store.files.temporaryFolder.appendingPathComponent(".\(child.processIdentifier)-2.partial.partial-ab.jpg")
        try Data([3]).write(to: deadBeside)
        try Data([1]).write(to: dead)
        try Data([2]).write(to: live)
        _ = try SQLiteLibraryStore.open(folder: folder)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(!FileManager.default.fileExists(atPath: deadBeside.path))
        #expect(FileManager.default.fileExists(atPath: live.path))
    }
}
