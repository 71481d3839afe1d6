import LibAV

/// The timing a video track may claim before the editing commands take it as damaged (SPEC section 6:
/// absurd durations get an error naming the input).
///
/// One overwritten byte in an AVI header's time scale made one second of video claim 167 days at a
/// frame every 6.7 days; a join re-encoded at that rate asked for 700 billion samples of silence and
/// trapped. Clips, joins and timelines hold every claim to these bounds, so a damaged time scale is one
/// clear error wherever it is met instead of an endless encode, a crash, or an output that long.
enum PlausibleTiming {
    /// Seconds (11.6 days): no video anyone cuts or joins is this long; damaged time scales claim more.
    static let longestDuration = 1_000_000.0

    /// Frames a second an output may take from its input: a frame a minute (a time-lapse slideshow)
    /// to 240.
    static let frameRates = (1.0 / 60)...240.0

    /// Whether `seconds` can be a video's length.
    static func isUsable(duration seconds: Double) -> Bool {
        seconds > 0 && seconds.isFinite && seconds < longestDuration
    }

    /// The rate `stream` says it has (its average, else its real base rate) when that is within
    /// ``frameRates``, in lowest terms.
    static func frameRate(of stream: MediaStream) -> Rational? {
        [stream.averageFrameRate, stream.realFrameRate].first { $0.isValid && frameRates.contains($0.doubleValue) }?.reduced
    }

    /// The length `input` claims (its container's, else its `video` stream's), when it claims one.
    static func claimedDuration(of input: InputFile, video: MediaStream) -> Double? {
        if let duration = input.duration { return Double(duration) / 1_000_000 }
        return video.duration.map { Timestamp($0, video.timeBase).seconds }
    }

    /// Throws, naming the input at `path`, when `value` (in `base`) lies ``longestDuration`` or more after
    /// `origin` (its first picture). Worked out in floating point: damaged timestamps come near Int64's ends.
    static func checkReach(_ value: Int64, after origin: Int64, in base: Rational, of path: String) throws(MediaError) {
        let seconds = (Double(value) - Double(origin)) * base.doubleValue
        guard seconds < longestDuration else {
            throw MediaError(path: path, code: .corrupt,
                             message: "its timestamps reach \(Int(min(seconds, 1e15).rounded())) s past its first picture: the track's timing is damaged")
        }
    }
}
