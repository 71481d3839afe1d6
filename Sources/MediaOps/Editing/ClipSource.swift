import LibAV

/// An input opened for cutting: its video stream, its time origin and length,
/// and the conversion between the seconds people give and the stream's exact
/// timestamps.
final class ClipSource {
    let path: String
    /// Replaced (reopened) when the demuxer cannot seek back to the start.
    private(set) var input: InputFile
    private(set) var video: MediaStream
    var videoIndex: Int { video.index }
    var timeBase: Rational { video.timeBase }
    /// The container's first timestamp (microseconds): "0 s" of the request.
    let originMicroseconds: Int64
    /// The media's length in seconds from the origin.
    let durationSeconds: Double

    init(path: String) throws(MediaError) {
        self.path = path
        input = try InputValidation.openWithStreamInfo(path)
        guard let video = input.bestStream(.video), !video.isAttachedPicture else {
            throw MediaError(path: path, code: .noVideo, message: "has no video stream to cut")
        }
        guard video.parameters.codecID.hasDecoder || video.parameters.codecID != .none else {
            throw MediaError(path: path, code: .unsupportedCodec, message: "video codec \(video.parameters.codecName) is unknown to this FFmpeg")
        }
        self.video = video
        originMicroseconds = input.startTime ?? 0
        var length = PlausibleTiming.claimedDuration(of: input, video: video)
        if length == nil { length = try Self.lengthOfPackets(path, origin: originMicroseconds) }
        guard let duration = length, PlausibleTiming.isUsable(duration: duration) else {
            throw MediaError(path: path, code: .corrupt, message: "has no usable duration to cut a range from")
        }
        durationSeconds = duration
    }

    /// The length from `origin` (microseconds) of a video whose header gives none (a recording written live: a
    /// browser's WebM, Matroska without cues), by where its video packets end: a demux of that stream alone,
    /// on an input of its own so that this one stays at the start.
    private static func lengthOfPackets(_ path: String, origin: Int64) throws(MediaError) -> Double? {
        let scan = try InputValidation.openWithStreamInfo(path)
        guard let video = scan.bestStream(.video) else { return nil }
        let statistics = try MediaProbe.packetStatistics(input: scan, stream: video, fileSize: try InputValidation.checkReadableFile(path), path: path)
        // The end is counted from zero, or from a start before it.
        return statistics.dataEndSec.map { $0 - max(0, Double(origin) / 1_000_000) }
    }

    /// The stream timestamp (in ``timeBase``) of `seconds` after the origin.
    func timestamp(seconds: Double) -> Int64 {
        rescale(originMicroseconds, from: .microseconds, to: timeBase) + Timestamp(seconds: seconds, timeBase: timeBase).value
    }

    /// Seconds after the origin of a timestamp in `base` (the video time base by default).
    func seconds(_ value: Int64, in base: Rational? = nil) -> Double {
        Timestamp(value, base ?? timeBase).seconds - Double(originMicroseconds) / 1_000_000
    }

    /// The rate to declare for re-encoded video: the base rate that represents
    /// every timestamp (`r_frame_rate`) rather than the average, so that a
    /// variable-rate clip is not declared slower than its fastest stretch.
    var encodingFrameRate: Rational? {
        for rate in [video.realFrameRate, video.averageFrameRate] where rate.isValid && rate.doubleValue > 0 && rate.doubleValue <= 1000 {
            return rate
        }
        return nil
    }

    /// One nominal frame, in seconds (for tolerances).
    var frameSeconds: Double {
        let rate = video.averageFrameRate.isValid ? video.averageFrameRate : video.realFrameRate
        return rate.isValid && rate.doubleValue > 0 ? 1 / rate.doubleValue : 1.0 / 25
    }

    /// Where a clip's last picture stops being shown: when the source's `next` picture comes (at or after the
    /// requested end), unless that is more than a frame past both the requested end and the last picture's own
    /// end (`lastEnd`), then at the later of those two. A source holding a picture for hours (a gap, a jump in
    /// its timestamps: an MPEG-TS whose clock jumped) made a one-second clip six hours long.
    func presentedEnd(next: Int64?, lastEnd: Int64?, requestedEnd: Int64) -> Int64 {
        guard let next else { return lastEnd ?? requestedEnd }
        let shownUntil = max(requestedEnd, lastEnd ?? requestedEnd)
        // A frame at the faster of the stream's rates: the average is low where the timestamps jump.
        let rates = [video.averageFrameRate, video.realFrameRate].filter { $0.isValid && $0.doubleValue > 0 }.map(\.doubleValue)
        let frame = Timestamp(seconds: 1 / (rates.max() ?? 25), timeBase: timeBase).value
        return next <= shownUntil + frame ? next : shownUntil
    }

    /// Checks a requested range against the media (SPEC section 6).
    func validate(start: Double, end: Double) throws(MediaError) {
        guard start.isFinite, end.isFinite, start >= 0 else {
            throw MediaError(path: path, code: .invalidRange, message: "start and end must be finite times at or after 0")
        }
        guard start < end else {
            throw MediaError(path: path, code: .invalidRange, message: "start (\(secondsText(start)) s) must be before end (\(secondsText(end)) s)")
        }
        guard start < durationSeconds else {
            throw MediaError(path: path, code: .invalidRange,
                             message: "range starts at \(secondsText(start)) s, at or after the end of the media (\(secondsText(durationSeconds)) s)")
        }
        guard end <= durationSeconds + frameSeconds else {
            throw MediaError(path: path, code: .invalidRange,
                             message: "range ends at \(secondsText(end)) s, after the end of the media (\(secondsText(durationSeconds)) s)")
        }
    }

    func libavError(_ error: AVError) -> MediaError { MediaError(path: path, libav: error) }

    /// Opens the file afresh, at its start.
    func reopen() throws {
        let fresh = try InputValidation.openWithStreamInfo(path)
        guard fresh.streams.count > video.index, fresh.streams[video.index].kind == .video else {
            throw MediaError(path: path, code: .corrupt, message: "the file changed while it was being cut")
        }
        input = fresh
        video = fresh.streams[video.index]
    }
}

@available(*, unavailable, message: "A ClipSource owns an InputFile that must stay in one task.")
extension ClipSource: Sendable {}

func secondsText(_ seconds: Double) -> String {
    // No conversion to Int: the value may be any Double a caller passed.
    guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds)" }
    let rounded = (seconds * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
}
