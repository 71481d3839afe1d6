import Foundation

/// Where an operation writes its result: never directly into the final path.
/// The result goes to a temporary file beside it, renamed into place only
/// once complete (``commit()``), so a failure or a kill leaves nothing partial
/// at the output's path. The temporary file goes with a stop signal when the
/// command asked for that (``InterruptedRunCleanup``); a run killed outright
/// leaves it to the next run writing that output.
/// An existing output that is not a regular file is never replaced (SPEC
/// section 6): a link is followed to its file, a character device or FIFO is
/// written through, anything else is refused.
///
/// ```swift
/// let destination = try OutputDestination(path: "out.mp4", inputs: ["in.mp4"])
/// defer { destination.discardIfUncommitted() }
/// try write(to: destination.temporaryPath)
/// try destination.commit()
/// ```
/// Not `Sendable`: it belongs to the one task that writes the output.
public final class OutputDestination {
    public let path: String
    /// The file to write; same folder and extension as ``path`` (the first input's when ``path`` has
    /// none), hidden name.
    public let temporaryPath: String
    /// Where the finished file goes: ``path``, or the file a symbolic link at
    /// ``path`` points to (the link itself is kept).
    private let finalPath: String
    /// True when ``path`` is a character device or FIFO (`/dev/null`, a pipe):
    /// the result is copied into it rather than renamed over it, which as root
    /// would replace the device with a plain file.
    private let writesThrough: Bool
    private var committed = false
    /// The temporary file's place among the files a stop signal removes; `nil` once given back (the
    /// slot may then be another file's, so it is given back only once).
    private var cleanupTicket: InterruptedRunCleanup.Ticket?

    /// - Parameters:
    ///   - path: the final output path.
    ///   - inputs: the input paths; an output equal to any of them is refused.
    /// - Throws: ``MediaError`` `output_conflict` (same as an input, a directory,
    ///   a socket or block device, a dangling link) or `output_unwritable`
    ///   (missing or read-only folder, a FIFO nobody reads).
    public init(path: String, inputs: [String]) throws(MediaError) {
        let url = URL(fileURLWithPath: path)
        let resolvedOutput = url.standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs {
            let resolvedInput = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
            if resolvedInput == resolvedOutput {
                throw MediaError(path: path, code: .outputConflict, message: "output path is the same as an input; refusing to overwrite it")
            }
        }
        var target = path
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK {
            // Follow the link: the file it names is the output, the link stays.
            guard stat(path, &status) == 0 else {
                throw MediaError(path: path, code: .outputConflict, message: "output is a symbolic link to a missing file; refusing to replace the link")
            }
            target = resolvedOutput
        }
        let exists = stat(target, &status) == 0
        var throughDevice = false
        if exists {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw MediaError(path: path, code: .outputConflict, message: "output path is a directory")
            case S_IFCHR, S_IFIFO: throughDevice = true
            case S_IFBLK: throw MediaError(path: path, code: .outputConflict, message: "output is a block device; refusing to write to it")
            default: throw MediaError(path: path, code: .outputConflict, message: "output exists and is not a regular file (a socket?); refusing to replace it")
            }
        }
        let targetURL = URL(fileURLWithPath: target)
        let folder = targetURL.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !throughDevice {
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw MediaError(path: path, code: .outputUnwritable, message: "output folder \(folder) does not exist")
            }
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw MediaError(path: path, code: .outputUnwritable, message: "output folder \(folder) is not writable")
            }
        }
        let finalName = targetURL.lastPathComponent
        if finalName.utf8.count > Self.longestName {
            throw MediaError(path: path, code: .outputUnwritable,
                             message: "output name is \(finalName.utf8.count) bytes long; a file name holds at most \(Self.longestName)")
        }
        self.path = path
        finalPath = target
        writesThrough = throughDevice
        // The temporary file's extension is what a muxer guesses its container from; an output without one
        // (`-o /dev/null`, a pipe) takes the first input's, the container the result is made like.
        let pathExtension = url.pathExtension.isEmpty ? (inputs.first.map { URL(fileURLWithPath: $0).pathExtension } ?? "") : url.pathExtension
        let unique = UInt32.random(in: 0...UInt32.max)
        let extensionPart = pathExtension.isEmpty ? "" : ".\(pathExtension)"
        // Named after this process and its machine, so that a later one can tell a file abandoned by a kill from
        // one being written (by a process of its own machine: another's process ids mean nothing here). The
        // output's name is shortened to leave room for that: an output name of 230 bytes made a temporary name
        // past the file system's limit, and the muxer's "File name too long" was blamed on the input.
        let name = Self.temporaryStem(of: targetURL.deletingPathExtension().lastPathComponent, extensionPart: extensionPart)
        let temporaryName = ".\(name).partial-\(TemporaryFileOwner.machine)-\(getpid())-\(String(unique, radix: 16))" + extensionPart
        // A device's folder (/dev) is no place for a temporary file.
        let temporaryFolder = throughDevice ? FileManager.default.temporaryDirectory : targetURL.deletingLastPathComponent()
        temporaryPath = temporaryFolder.appendingPathComponent(temporaryName).path
        cleanupTicket = InterruptedRunCleanup.track(temporaryPath)
        AbandonedOutputFiles.remove(of: name, in: temporaryFolder)
    }

    /// The longest file name (bytes) Linux file systems take (`NAME_MAX`).
    static let longestName = 255

    /// The output's name as its temporary file's name carries it: whole when it fits beside the marks the
    /// temporary name adds (with room for the longest process id and unique number, so that every run
    /// shortens a name alike and finds the files of runs killed before it), else its first characters.
    static func temporaryStem(of name: String, extensionPart: String) -> String {
        let marks = 1 + ".partial-".utf8.count + TemporaryFileOwner.machine.utf8.count + 1 + 10 + 1 + 8 + extensionPart.utf8.count
        var room = longestName - marks
        guard name.utf8.count > room else { return name }
        var stem = ""
        for character in name {
            room -= character.utf8.count
            if room < 0 { break }
            stem.append(character)
        }
        return stem
    }

    /// Moves the finished temporary file into place (atomic `rename`), or
    /// copies it into a device or FIFO.
    public func commit() throws(MediaError) {
        if writesThrough {
            defer { discardIfUncommitted() }
            try copyThrough()
            committed = true
            try? FileManager.default.removeItem(atPath: temporaryPath)
            stopTracking()
            return
        }
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discardIfUncommitted()
            throw MediaError(path: path, code: .outputUnwritable, message: "cannot move result into place: \(reason)")
        }
        committed = true
        // After the rename: a signal before it must still remove the file.
        stopTracking()
    }

    private func stopTracking() {
        InterruptedRunCleanup.forget(cleanupTicket)
        cleanupTicket = nil
    }

    /// Writes `bytes` as the whole temporary file. A failure (a full disk, a quota) says why, with the
    /// system's reason, and leaves no temporary file behind.
    /// - Parameter what: what the bytes are, for the error line ("the image file").
    /// - Throws: ``MediaError`` `output_unwritable`.
    public func writeTemporaryFile(_ bytes: [UInt8], what: String) throws(MediaError) {
        func failure(_ step: String, _ number: Int32) -> MediaError {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            return MediaError(path: path, code: .outputUnwritable, message: "cannot \(step) \(what): \(String(cString: strerror(number)))")
        }
        let output = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw failure("create", errno) }
        var written = 0
        while written < bytes.count {
            let step = bytes.withUnsafeBytes { write(output, $0.baseAddress! + written, bytes.count - written) }
            if step < 0 && errno == EINTR { continue }
            guard step > 0 else {
                let number = step < 0 ? errno : ENOSPC
                close(output)
                throw failure("write", number)
            }
            written += step
        }
        // Some file systems (NFS, quotas) report a failed write only when the file is closed.
        guard close(output) == 0 else { throw failure("write", errno) }
    }

    private func copyThrough() throws(MediaError) {
        func failure(_ what: String) -> MediaError {
            MediaError(path: path, code: .outputUnwritable, message: "\(what): \(String(cString: strerror(errno)))")
        }
        // Non-blocking open so that a FIFO without a reader fails (ENXIO) instead of hanging.
        let output = open(finalPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard output >= 0 else { throw failure("cannot open output") }
        defer { close(output) }
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) & ~O_NONBLOCK)
        let input = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot read result") }
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else { throw failure("cannot read result") }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                guard step > 0 else { throw failure("cannot write output") }
                written += step
            }
        }
    }

    /// Removes the temporary file unless it was committed.
    public func discardIfUncommitted() {
        if !committed { try? FileManager.default.removeItem(atPath: temporaryPath) }
        stopTracking()
    }

    deinit { discardIfUncommitted() }
}
