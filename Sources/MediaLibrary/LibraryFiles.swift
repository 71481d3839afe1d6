import Foundation

/// The library's files, named by content hash: `files/ab/abcdef….mp4`, and
/// the files derived from one asset beside it (`abcdef….poster.jpg`,
/// `abcdef….keyframes/`).
///
/// Nothing is written in place: every file is written under `tmp/` (with the
/// writer's process id in its name) and renamed into `files/` once complete,
/// so a `kill -9` leaves at worst a stray temporary file, which the next
/// process removes, and never a half file under a content name.
public struct LibraryFiles: Sendable {
    public let root: URL
    public var filesFolder: URL { root.appendingPathComponent("files", isDirectory: true) }
    public var temporaryFolder: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public init(root: URL) {
        self.root = root
    }

    /// Creates `files/` and `tmp/` if missing.
    func prepare() throws(LibraryError) {
        for folder in [root, filesFolder, temporaryFolder] {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw LibraryError(subject: folder.path, code: .storage, message: "cannot create folder: \(error.localizedDescription)")
            }
        }
    }

    /// Checks up front that this process can write into the store (a read-only
    /// mount, a folder owned by someone else), so a command fails at once with
    /// one line instead of after its first decode.
    func checkWritable() throws(LibraryError) {
        let probe = makeTemporaryPath(pathExtension: "probe")
        let descriptor = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LibraryError(subject: root.path, code: .storage,
                               message: "the file store is not writable: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        unlink(probe.path)
    }

    /// Where the content with this hash lives: `files/ab/<sha256>.<ext>`.
    public func contentPath(sha256: String, pathExtension: String) -> URL {
        let ext = Self.sanitizedExtension(pathExtension)
        let name = ext.isEmpty ? sha256 : "\(sha256).\(ext)"
        return shardFolder(sha256).appendingPathComponent(name)
    }

    /// A file derived from the content (`files/ab/<sha256>.<suffix>`), e.g. suffix `poster.jpg`.
    public func derivedPath(sha256: String, suffix: String) -> URL {
        shardFolder(sha256).appendingPathComponent("\(sha256).\(suffix)")
    }

    func shardFolder(_ sha256: String) -> URL {
        filesFolder.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true)
    }

    /// A fresh temporary path under `tmp/`, named after this process and machine
    /// (``TemporaryFileOwner``) so that a later process can tell an abandoned one
    /// from one still being written.
    public func makeTemporaryPath(pathExtension: String = "") -> URL {
        let unique = UInt64.random(in: 0...UInt64.max)
        let ext = Self.sanitizedExtension(pathExtension)
        let name = "\(getpid())-\(String(unique, radix: 16))-\(TemporaryFileOwner.machine).partial" + (ext.isEmpty ? "" : ".\(ext)")
        return temporaryFolder.appendingPathComponent(name)
    }

    /// Copies `source` into the store under its content name, unless that
    /// content is already there.
    /// - Returns: the stored file.
    public func store(copyOf source: URL, sha256: String, pathExtension: String) throws(LibraryError) -> URL {
        let destination = contentPath(sha256: sha256, pathExtension: pathExtension)
        if FileManager.default.fileExists(atPath: destination.path) { return destination }
        let temporary = makeTemporaryPath(pathExtension: pathExtension)
        do {
            try Self.copyFile(from: source.path, to: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return try moveIntoPlace(temporary, to: destination)
    }

    /// Copies in 1 MiB blocks straight into our own temporary name (Foundation's
    /// copy may stage the bytes under a name of its own, which a kill would
    /// leave behind unnoticed, and may hold the whole file in memory).
    static func copyFile(from source: String, to destination: String) throws(LibraryError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw LibraryError(subject: source, code: .storage, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            throw LibraryError(subject: destination, code: .storage, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(output) }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, blockSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw LibraryError(subject: source, code: .storage, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                let result = write(output, buffer.advanced(by: written), count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw LibraryError(subject: destination, code: .storage, message: "write failed: \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        // The bytes must be on disk before the rename makes them the content's file.
        if fsync(output) != 0 {
            throw LibraryError(subject: destination, code: .storage, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Renames a complete temporary file (or folder) to its final name in the
    /// store. If the name is already taken (another process stored the same
    /// content first), the temporary copy is dropped: same name, same bytes.
    @discardableResult
    public func moveIntoPlace(_ temporary: URL, to destination: URL) throws(LibraryError) -> URL {
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw LibraryError(subject: destination.path, code: .storage, message: "cannot create folder: \(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: temporary.path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            // rename(2) replaces only an empty directory: a folder already in place stays.
            if FileManager.default.fileExists(atPath: destination.path) {
                try? FileManager.default.removeItem(at: temporary)
                return destination
            }
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            if FileManager.default.fileExists(atPath: destination.path) {
                try? FileManager.default.removeItem(at: temporary)
                return destination
            }
            try? FileManager.default.removeItem(at: temporary)
            throw LibraryError(subject: destination.path, code: .storage, message: "cannot move into place: \(reason)")
        }
        return destination
    }

    /// Removes temporary files left by processes of this machine that no longer
    /// run (killed mid-write). Files of live processes are left alone, and so are
    /// other machines' (a PostgreSQL library's store is shared by its workers' machines).
    /// - Parameters:
    ///   - withoutMachine: also files named before names carried the machine,
    ///     which only a library of one machine (SQLite) can take as its own.
    ///   - untouchedFor: only files not written for that many seconds: where machines
    ///     share the store, two may go by one name (containers given one host name).
    public func removeAbandonedTemporaryFiles(withoutMachine: Bool, untouchedFor: Double = 0) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder.path) else { return }
        for name in names {
            // `<pid>-<hex>-<machine>.partial…`, or before names carried the machine `<pid>-<hex>.partial…`; operations
            // that write beside our temporary path add a leading dot (`.<pid>-….partial.partial-….jpg`).
            let bare = name.drop { $0 == "." }
            guard let dash = bare.firstIndex(of: "-"), let pid = Int32(bare[..<dash]) else { continue }
            let afterUnique = bare[bare.index(after: dash)...].drop { $0.isHexDigit }
            let mine = afterUnique.hasPrefix("-\(TemporaryFileOwner.machine).partial") || (withoutMachine && afterUnique.hasPrefix(".partial"))
            guard mine, TemporaryFileOwner.hasEnded(pid) else { continue }
            let path = temporaryFolder.appendingPathComponent(name)
            if untouchedFor > 0 {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path.path)[.modificationDate]) as? Date
                guard let modified, -modified.timeIntervalSinceNow >= untouchedFor else { continue }
            }
            try? FileManager.default.removeItem(at: path)
        }
    }

    /// Keeps extensions to short alphanumerics, so a URL's query can never make a path.
    static func sanitizedExtension(_ ext: String) -> String {
        let lowered = ext.lowercased()
        guard lowered.count <= 8, lowered.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return lowered
    }
}
