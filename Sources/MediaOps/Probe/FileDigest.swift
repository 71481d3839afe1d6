import Foundation
import LibAV

/// SHA-256 of a file's bytes: the identity of an asset (same bytes, same asset).
public enum FileDigest {
    /// Reads the file in 1 MiB blocks and hashes it.
    /// - Returns: 64 lowercase hex characters.
    /// - Throws: ``MediaError`` if the file cannot be read.
    public static func sha256(ofFile path: String) throws(MediaError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MediaError(path: path, code: .unreadable, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let hasher: SHA256Hasher
        do { hasher = try SHA256Hasher() } catch { throw MediaError(path: path, libav: error) }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, blockSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw MediaError(path: path, code: .unreadable, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalizeHex()
    }
}
