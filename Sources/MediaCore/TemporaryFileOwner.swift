#if canImport(Glibc)
import Glibc
#endif

/// Who writes a temporary file, as its name says: this machine and this process. A later process can then
/// tell a file abandoned by a kill (its process no longer runs) from one still being written, but only for
/// files of its own machine: another machine's process ids mean nothing here (a library's file store shared
/// by the workers of several machines).
public enum TemporaryFileOwner {
    /// This machine's name (`gethostname`); empty when it has none, and then no file is taken as abandoned.
    public static let machine: String = {
        var bytes = [CChar](repeating: 0, count: 256)
        guard gethostname(&bytes, bytes.count - 1) == 0 else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Whether process `pid` of this machine has ended: not this one, and no such process (a live one, or one
    /// that is someone else's to signal, has not).
    public static func hasEnded(_ pid: Int32) -> Bool {
        guard pid > 0, pid != getpid(), !machine.isEmpty else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
