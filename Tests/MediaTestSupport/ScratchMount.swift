import Foundation

/// A small tmpfs mounted for one test: a disk that fills up, or turns read-only, on demand.
/// Needs root; ``isAvailable`` says whether this machine lets the tests mount (a test that needs it is
/// reported skipped otherwise, never passed). The mount is always removed, even when the test fails.
///
/// ```swift
/// @Test(.enabled(if: ScratchMount.isAvailable, "needs root to mount a tmpfs")) func fullDisk() throws {
///     try ScratchMount.with(size: "256k") { mount in ... try mount.resize("16m") ... }
/// }
/// ```
public struct ScratchMount: Sendable {
    public let folder: URL

    /// Whether a tmpfs can be mounted here (tried once, with a mount that is removed at once).
    public static let isAvailable: Bool = {
        guard getuid() == 0, let folder = try? TestMedia.makeTemporaryDirectory("mount-check") else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        guard (try? TestMedia.run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]))?.status == 0 else { return false }
        _ = try? TestMedia.run("umount", [folder.path], allowFailure: true)
        return true
    }()

    /// Mounts a tmpfs of `size` (mount's notation: `256k`, `2m`), runs `body` on it, and unmounts it.
    public static func with<T>(size: String, _ body: (ScratchMount) throws -> T) throws -> T {
        let folder = try TestMedia.makeTemporaryDirectory("scratch-mount")
        try TestMedia.run("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", folder.path])
        defer {
            // Lazy: a process of the test still holding a file open must not leave the mount behind.
            _ = try? TestMedia.run("umount", ["-l", folder.path], allowFailure: true)
            try? FileManager.default.removeItem(at: folder)
        }
        return try body(ScratchMount(folder: folder))
    }

    /// Gives the mount a new size: the fault removed (or made worse).
    public func resize(_ size: String) throws {
        try TestMedia.run("mount", ["-o", "remount,size=\(size)", folder.path])
    }

    /// Makes the mount read-only, or writable again.
    public func setReadOnly(_ readOnly: Bool) throws {
        try TestMedia.run("mount", ["-o", readOnly ? "remount,ro" : "remount,rw", folder.path])
    }

    /// Bytes still free on the mount.
    public var freeBytes: Int {
        var status = statvfs()
        guard statvfs(folder.path, &status) == 0 else { return 0 }
        return Int(status.f_bavail) * Int(status.f_frsize)
    }

    /// Fills the mount until only `leaving` bytes are free, with one file that ``unfill()`` removes.
    public func fill(leaving: Int) throws {
        let count = max(0, freeBytes - leaving)
        guard FileManager.default.createFile(atPath: fillerPath, contents: Data(count: count)) else {
            throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: fillerPath])
        }
    }

    public func unfill() throws {
        try FileManager.default.removeItem(atPath: fillerPath)
    }

    private var fillerPath: String { folder.appendingPathComponent("filler").path }

    /// Every file under the mount but the filler, as paths relative to it.
    public func files() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { path in
            path != "filler" && !((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(path).path)[.type])
                as? FileAttributeType == .typeDirectory)
        }.sorted()
    }
}
