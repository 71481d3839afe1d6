import Foundation
import LibAV
import Testing

/// libavutil's SHA-256 against the FIPS 180-2 test vectors.
@Suite struct SHA256HasherTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func knownDigests(input: String, expected: String) throws {
        let hasher = try SHA256Hasher()
        Array(input.utf8).withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalizeHex() == expected)
    }
}
