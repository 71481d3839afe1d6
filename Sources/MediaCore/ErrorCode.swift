/// Every stable reason a command, the pipeline or the library can fail with:
/// what JSON carries as `{"error": {"code": ...}}`, `batch` records per item
/// and `watch` writes into `NAME.error.txt`.
///
/// One enum for all layers, so a code is never derived from message text and
/// a new front end (the HTTP server) reports the same codes. The README's
/// list of codes is this list.
public enum ErrorCode: String, Sendable, Codable, Hashable, CaseIterable {
    // Inputs (MediaOps)
    case notFound = "not_found"
    case notAFile = "not_a_file"
    case unreadable
    case empty
    case notMedia = "not_media"
    case corrupt
    case truncated
    case unsupportedCodec = "unsupported_codec"
    case noVideo = "no_video"
    case noAudio = "no_audio"
    case invalidArgument = "invalid_argument"
    case invalidRange = "invalid_range"
    case outputConflict = "output_conflict"
    case outputUnwritable = "output_unwritable"
    case incompatibleInputs = "incompatible_inputs"
    /// libav failed in a way no other code describes; the message is libav's own.
    case libav

    // The library (MediaLibrary)
    /// An asset reference (SHA-256 prefix) that matches several assets.
    case ambiguous
    /// The library's files could not be read or written.
    case storage
    /// The library's database failed.
    case database

    // The pipeline (MediaPipeline)
    case download
    case tooLarge = "too_large"
    case unknownParent = "unknown_parent"
    case invalidManifest = "invalid_manifest"
    case stageUnavailable = "stage_unavailable"
    case stageFailed = "stage_failed"
    case earlierFailure = "earlier_failure"

    // The server (MediaServer)
    /// A request without the bearer token `serve` was started with (SPEC section 8): HTTP 401.
    case unauthorized

    /// An error of no known kind (a bug, or a system failure no layer translated).
    case `internal`
}
