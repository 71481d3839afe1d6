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
        let names = try AbandonedFiles(in: store.files)
        let live = store.files.makeTemporaryPath(pathExtension: "mp4")
        try Data([2]).write(to: live)
        _ = try SQLiteLibraryStore.open(folder: folder)
        // One machine's library: the files named before names carried the machine are this machine's too.
        #expect(names.left() == Set(names.othersMachine + [live.lastPathComponent]))
    }

    /// A PostgreSQL library's file store is shared by the workers of several machines: opening it removes the
    /// temporary files of this machine's processes that no longer run, once an hour has passed without a
    /// write to them, and no other machine's (their process ids mean nothing here), nor the ones whose
    /// machine their name does not say.
    @Test func aSharedStoreLosesOnlyThisMachinesAbandonedFiles() throws {
        let server = try PostgresTestServer.shared()
        let folder = try TestMedia.makeTemporaryDirectory("pgfiles")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = try PostgresLocation(url: try server.createDatabase(), files: folder.path)
        let names = try AbandonedFiles(in: try PostgresLibraryStore.open(location).files)
        _ = try PostgresLibraryStore.open(location)
        #expect(names.left() == Set(names.thisMachine + names.othersMachine + names.unnamedMachine))
        let hourAgo = Date(timeIntervalSinceNow: -3601)
        for name in names.left() {
            try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: names.folder.appendingPathComponent(name).path)
        }
        _ = try PostgresLibraryStore.open(location)
        #expect(names.left() == Set(names.othersMachine + names.unnamedMachine))
    }
}

/// Temporary files of a process that no longer runs (a finished child's id) in a library's `tmp/`: this
/// machine's, another machine's, and ones named before names carried the machine.
struct AbandonedFiles {
    let folder: URL
    let thisMachine: [String], othersMachine: [String], unnamedMachine: [String]

    init(in files: LibraryFiles) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let ours = files.makeTemporaryPath(pathExtension: "mp4").lastPathComponent.replacingOccurrences(of: "\(getpid())-", with: "\(dead)-")
        folder = files.temporaryFolder
        thisMachine = [ours, ".\(ours).partial-ab.jpg"]
        othersMachine = ["\(dead)-7f-elsewhere.partial.mp4", ".\(dead)-7f-elsewhere.partial.partial-ab.jpg"]
        unnamedMachine = ["\(dead)-1.partial.mp4", ".\(dead)-2.partial.partial-ab.jpg"]
        for name in thisMachine + othersMachine + unnamedMachine { try Data([1]).write(to: folder.appendingPathComponent(name)) }
    }

    func left() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []) }
}
