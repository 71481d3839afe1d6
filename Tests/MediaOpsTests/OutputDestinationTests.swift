import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// Issue 15 item 2 (SPEC section 6): an output that exists and is not a
/// regular file is written through or refused, never replaced. Run as root,
/// a rename over a device would replace it with a plain file.
@Suite struct OutputDestinationTests {
    let picture = RGBImage(width: 16, height: 16, fill: RGBColor(red: 200, green: 40, blue: 40))

    func fileType(_ path: String) -> mode_t {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root")) func aCharacterDeviceIsWrittenThroughNotReplaced() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let null = folder.appendingPathComponent("null").path
        try #require(mknod(null, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0)  // major 1, minor 3: the device /dev/null is
        try ImageWriter.write(picture, as: .jpeg, to: null, inputs: [])
        #expect(fileType(null) == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["null"])
    }

    /// A video written to a device named without an extension (`clip … -o /dev/null`): the muxer takes the
    /// input's container, where it failed with "avformat_alloc_output_context2(…): Invalid argument".
    @Test(.enabled(if: getuid() == 0, "mknod needs root"), .needsFFmpeg) func aClipIsWrittenThroughADeviceWithoutAnExtension() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("in.mp4"), seconds: 2)
        let null = folder.appendingPathComponent("null").path
        try #require(mknod(null, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0)
        _ = try Clipper.clip(ClipRequest(input: clip.path, output: null, start: 0, end: 1, mode: .exact))
        #expect(fileType(null) == S_IFCHR)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["in.mp4", "null"])
    }

    @Test func aFIFOWithAReaderReceivesTheImage() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.jpg").path
        try #require(mkfifo(fifo, 0o600) == 0)
        // The reader's end is opened first, without blocking, so the writer (which opens non-blocking and needs a
        // reader) finds one; the small image fits the pipe's buffer and is read once the writer has closed.
        // No second task: a reader parked in a blocking open() could hang the run if the writer never came.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try ImageWriter.write(picture, as: .jpeg, to: fifo, inputs: [])
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(reader, &buffer, buffer.count)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        #expect(received.starts(with: [0xFF, 0xD8]))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aFIFOWithoutAReaderIsRefusedNotReplaced() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.jpg").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: MediaError.self) { try ImageWriter.write(picture, as: .jpeg, to: fifo, inputs: []) }
        #expect(error?.code == .outputUnwritable)
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("real.jpg").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        let link = folder.appendingPathComponent("link.jpg").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try ImageWriter.write(picture, as: .jpeg, to: link, inputs: [])
        #expect(fileType(link) == S_IFLNK)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).starts(with: [0xFF, 0xD8]))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["real.jpg", "link.jpg"])

        let dangling = folder.appendingPathComponent("dangling.jpg").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: folder.appendingPathComponent("none.jpg").path)
        let error = #expect(throws: MediaError.self) { try ImageWriter.write(picture, as: .jpeg, to: dangling, inputs: []) }
        #expect(error?.code == .outputConflict)
        #expect(fileType(dangling) == S_IFLNK)
    }

    @Test func aSocketIsRefused() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.jpg").path
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketDescriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        let error = #expect(throws: MediaError.self) { try ImageWriter.write(picture, as: .jpeg, to: path, inputs: []) }
        #expect(error?.code == .outputConflict)
        #expect(fileType(path) == S_IFSOCK)
    }

    /// An output name near the file system's limit of 255 bytes: its temporary name (the name with the
    /// process's marks) went past the limit, and the muxer's "File name too long" was blamed on the input.
    /// It is now written; a name past the limit is refused by the output's own name.
    @Test func longOutputNamesAreWrittenAndTooLongOnesRefused() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let longest = String(repeating: "x", count: 251) + ".jpg"
        try ImageWriter.write(picture, as: .jpeg, to: folder.appendingPathComponent(longest).path, inputs: [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [longest])
        let tooLong = String(repeating: "é", count: 130) + ".jpg"
        let error = #expect(throws: MediaError.self) {
            try ImageWriter.write(picture, as: .jpeg, to: folder.appendingPathComponent(tooLong).path, inputs: [])
        }
        #expect(error?.code == .outputUnwritable && error?.message.contains("264 bytes") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [longest])
    }

    /// A run killed mid-write (a backend's timeout sends SIGKILL) left its hidden `.out.partial-…` beside the
    /// output for good. The next run writing that output removes those of processes of this machine that no
    /// longer run, and nothing else.
    @Test func aKilledRunsTemporaryFileIsRemovedByTheNextRun() throws {
        let folder = try TestMedia.makeTemporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        var name = [CChar](repeating: 0, count: 256)
        try #require(gethostname(&name, 255) == 0)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let abandoned = [".out.partial-\(host)-\(dead)-9f3a.jpg", ".out.partial-\(host)-\(dead)-c0"]
        // A live process's, another machine's (its process ids are not this machine's), another output's, and names this type does not make.
        let kept = [".out.partial-\(host)-\(getppid())-77.jpg", ".out.partial-elsewhere-\(dead)-9f3a.jpg", ".other.partial-\(host)-\(dead)-9f3a.jpg",
                    ".out.partial-notes.jpg", ".out.partial-\(host)-\(dead)-xyz.jpg", "out.partial-\(host)-\(dead)-9f3a.jpg"]
        for name in abandoned + kept { try Data([1]).write(to: folder.appendingPathComponent(name)) }
        let path = folder.appendingPathComponent("out.jpg").path
        try ImageWriter.write(picture, as: .jpeg, to: path, inputs: [])
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(Set(left) == Set(kept + ["out.jpg"]))
        // The folder is listed once per process (`keyframes` writes many images into one folder); what that
        // listing found for another output goes when that output is written.
        try ImageWriter.write(picture, as: .jpeg, to: folder.appendingPathComponent("other.jpg").path, inputs: [])
        let afterOther = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(Set(afterOther) == Set(kept + ["out.jpg", "other.jpg"]).subtracting([".other.partial-\(host)-\(dead)-9f3a.jpg"]))
    }
}
