import Foundation

/// An exclusive advisory lock (`flock`) on a file in the library folder,
/// held while a process opens the database and runs its migrations: two
/// processes starting on a new library at once must not both create tables.
/// The kernel drops the lock if the process dies, so a `kill -9` never leaves
/// the library locked.
struct FolderLock: ~Copyable {
    private let descriptor: Int32

    init(path: String) throws(LibraryError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LibraryError(subject: path, code: .storage, message: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw LibraryError(subject: path, code: .storage, message: "cannot lock: \(reason)")
        }
        self.descriptor = descriptor
    }

    /// Releases the lock now.
    consuming func release() {}

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
