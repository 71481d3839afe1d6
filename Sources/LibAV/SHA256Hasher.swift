import CFFmpeg

/// SHA-256 through libavutil's `AVSHA` (`av_sha_alloc` / `av_sha_init(…, 256)` /
/// `av_sha_update` / `av_sha_final`), so the project needs no second crypto library.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() throws(AVError) {
        context = try allocated(av_sha_alloc(), "av_sha_alloc")
        try check(av_sha_init(context, 256), "av_sha_init")
    }

    deinit { av_free(UnsafeMutableRawPointer(context)) }

    /// Adds bytes to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        // av_sha_update takes an Int32-sized length on some builds; feed in bounded chunks.
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            av_sha_update(context, base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), chunk)
            offset += chunk
        }
    }

    /// Finishes and returns the digest as 64 lowercase hex characters.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(context, &digest)
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@available(*, unavailable, message: "A SHA256Hasher owns a libav context that must stay in one task.")
extension SHA256Hasher: Sendable {}
