import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// `FileDigest` against `sha256sum`, on a file larger than its 1 MiB read block.
@Suite struct FileDigestTests {
    @Test func matchesSha256sum() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bytes.bin")
        var bytes = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 17)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2654435761 >> 7) }
        try Data(bytes).write(to: file)
        let expected = try TestMedia.run("sha256sum", [file.path]).stdout.prefix(64)
        #expect(try FileDigest.sha256(ofFile: file.path) == String(expected))
    }
}
