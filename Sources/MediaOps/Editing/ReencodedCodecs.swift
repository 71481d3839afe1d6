import LibAV

/// The codecs a re-encoded clip or join is written in, by its container: H.264 (or the quality's codec) and
/// AAC, or, in a WebM, which holds neither, VP9 and Opus at the same quality.
///
/// Before, `clip --mode exact` and `concat --mode reencode` into `.webm` failed writing the header with
/// libav's "Invalid argument", named after the input.
struct ReencodedCodecs {
    /// The video's quality, its codec included.
    var quality: EncodingQuality
    var sound: AudioCodec

    /// - Throws: ``MediaError`` naming the output at `path` when its container holds neither set.
    static func choose(for output: OutputFile, quality: EncodingQuality, withSound: Bool, path: String) throws(MediaError) -> ReencodedCodecs {
        if output.mayStore(quality.codec.codecID), !withSound || output.mayStore(.aac) {
            return ReencodedCodecs(quality: quality, sound: .aac)
        }
        var web = quality
        web.codec = .vp9
        // The quality's rate factor is x264's unless it asked for another codec.
        if quality.codec == .h264 { web.crf = VideoCodec.vp9.crf(matchingX264: quality.crf) }
        guard output.mayStore(.vp9), !withSound || output.mayStore(.opus) else {
            throw MediaError(path: path, code: .invalidArgument,
                             message: "a re-encoded \(output.formatName) output can hold neither \(quality.codec.codecID.name) nor vp9 video\(withSound ? " with its sound" : ""); \(advice)")
        }
        try web.validate(path: path)
        guard !withSound || Encoder.isAvailable("libopus") else {
            throw MediaError(path: path, code: .unsupportedCodec, message: "this FFmpeg has no opus encoder (libopus) for a webm output's sound")
        }
        return ReencodedCodecs(quality: web, sound: .opus)
    }

    private static let advice = "write .mp4, .mov, .mkv or .webm"

    /// The error of an output whose header could not be written, named after it: a container that refuses
    /// the codecs (libav cannot always say beforehand: Ogg, GIF), or a failure to write.
    static func refusal(_ output: OutputFile, path: String, _ error: AVError) -> MediaError {
        guard error.code == AVError.invalidArgumentCode else { return MediaError(path: path, libav: error) }
        return MediaError(path: path, code: .invalidArgument,
                          message: "a re-encoded \(output.formatName) output refuses its video or sound (\(error.detail)); \(advice)")
    }
}
