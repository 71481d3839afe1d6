import CFFmpeg

/// The one error type of the LibAV layer: a libav return code with libav's own
/// message (from `av_strerror`) and the name of the call that failed.
///
/// Normal states of libav's send/receive and read APIs (`AVERROR(EAGAIN)`,
/// `AVERROR_EOF`) never become an `AVError`; they are returned as enums such
/// as ``ReceiveResult``. Only real failures are thrown.
public struct AVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libav's negative return code (`AVERROR(...)` or one of the `AVERROR_*` tags).
    public let code: Int32
    /// The libav function (or LibAV operation) that failed, e.g. `avformat_open_input`.
    public let operation: String
    /// libav's own description of `code`, or a more precise one given by LibAV.
    public let message: String

    public init(code: Int32, operation: String, message: String? = nil) {
        self.code = code
        self.operation = operation
        self.message = message ?? AVError.describe(code)
    }

    /// An error that LibAV itself detects (no libav call failed), such as a
    /// file without a video stream. It uses `AVERROR_INVALIDDATA` or the code given.
    public static func invalid(_ message: String, operation: String, code: Int32 = AVError.invalidDataCode) -> AVError {
        AVError(code: code, operation: operation, message: message)
    }

    public var description: String { message }

    /// `operation: message`, as error and warning lines quote libav (`avcodec_open2: Invalid data found ...`).
    public var detail: String { "\(operation): \(message)" }

    /// `av_strerror`: libav's text for a return code.
    public static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 {
            return "libav error \(code)"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `AVERROR(EAGAIN)`, which differs between platforms, so it is never hard-coded.
    public static let tryAgainCode: Int32 = pixsim_averror_eagain()
    /// `AVERROR_EOF`.
    public static let endOfFileCode: Int32 = pixsim_averror_eof()
    /// `AVERROR_INVALIDDATA`.
    public static let invalidDataCode: Int32 = pixsim_averror_invaliddata()
    /// `AVERROR_PATCHWELCOME`: "not yet implemented in FFmpeg".
    public static let notImplementedCode: Int32 = pixsim_averror_patchwelcome()
    /// `AVERROR_EXTERNAL`: "Generic error in an external library" (libx264 refusing its settings, among others).
    public static let externalLibraryCode: Int32 = pixsim_averror_external()
    /// `AVERROR_DECODER_NOT_FOUND`.
    public static let decoderNotFoundCode: Int32 = pixsim_averror_decoder_not_found()
    /// `AVERROR(EINVAL)`.
    public static let invalidArgumentCode: Int32 = pixsim_averror(EINVAL)
    /// `AVERROR(ENOMEM)`.
    public static let outOfMemoryCode: Int32 = pixsim_averror(ENOMEM)

    public var isEndOfFile: Bool { code == AVError.endOfFileCode }
    public var isInvalidData: Bool { code == AVError.invalidDataCode }
    /// The system errors that mean the file could not be written where it was going (a full disk or quota,
    /// a read-only or failing file system, no permission): the destination's fault, not the media's.
    static let storageFailureCodes: Set<Int32> = Set([ENOSPC, EDQUOT, EROFS, EIO, EFBIG, EACCES, EPERM].map { pixsim_averror($0) })
    /// Whether this is one of ``storageFailureCodes``.
    public var isStorageFailure: Bool { AVError.storageFailureCodes.contains(code) }
}

/// Checks a libav return code: negative codes throw an ``AVError`` naming `operation`.
/// Every LibAV call whose failure is an error goes through here.
@discardableResult
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(AVError) -> Int32 {
    if code < 0 { throw AVError(code: code, operation: operation()) }
    return code
}

/// Unwraps an allocation: `nil` is libav running out of memory.
@inline(__always)
func allocated<T>(_ pointer: T?, _ operation: @autoclosure () -> String) throws(AVError) -> T {
    guard let pointer else { throw AVError(code: AVError.outOfMemoryCode, operation: operation()) }
    return pointer
}
