import LibAV

/// One picked frame: a reference to its decoded picture (cheap, no pixel
/// copy), its presentation timestamp and, when it was scored, its quality.
struct PickedFrame {
    let frame: Frame
    let timestamp: Int64
    let quality: FrameQuality?
}

/// Whether `a` is the better still (see ``FrameQuality/isBetterStill(than:)``); an unmeasured frame never is.
func better(_ a: PickedFrame, than b: PickedFrame) -> Bool {
    guard let qa = a.quality else { return false }
    guard let qb = b.quality else { return true }
    return qa.isBetterStill(than: qb)
}

/// A video file opened for random access to single frames: the seek-based
/// engine behind keyframes, posters and storyboards.
///
/// Each request seeks to the keyframe before the wanted time and decodes
/// forward only as far as needed, so the cost depends on how many frames are
/// asked for, not on how long the video is. Times are kept in the stream's
/// time base; ``origin`` (the file's start time) is time zero for the user,
/// as in players and in `ffmpeg -ss`.
final class SeekableVideo {
    let path: String
    /// The open file, stream and decoder; replaced by fresh ones (read from
    /// the start) when the container cannot seek.
    private(set) var input: InputFile
    private(set) var stream: MediaStream
    private(set) var reader: FrameReader
    private let options: DecoderOptions
    /// Decode keyframes only (`skip_frame=nokey`), also after a reopen.
    var keyframesOnly = false {
        didSet { reader.setKeyframesOnly(keyframesOnly) }
    }
    let geometry: PictureGeometry
    let timeBase: Rational
    /// The timestamp shown to users as 0 s.
    let origin: Int64
    /// Where the video's frames end (exclusive), in ``timeBase``.
    private(set) var end: Int64
    /// About one frame's duration, in ``timeBase`` (at least 1).
    let frameDuration: Int64
    /// Nominal frames per second (25 when the file does not say).
    let framesPerSecond: Double
    private let presentationIndex: PresentationIndex
    /// Shrinks frames to the analysis picture, to score them as the analysis pass does.
    private var shrinker: AnalysisShrinker?
    private var cachedKeyframes: [Int64]?
    private var cachedSurvey: PacketSurvey?
    /// Set once a seek failed: the file is then read forward, reopened only to go back.
    private var cannotSeek = false
    /// Time of the last frame the reader handed out, and the counting clock for untimed streams.
    private var readPosition: Int64?
    private var clock: Int64 = 0

    /// Decoder threading for seeking. Frame threads must fill their pipeline
    /// again after every seek and decode frames ahead that are then thrown
    /// away, so for a few frames per seek slice threads cost less CPU (on the
    /// benchmark, 7.6x against the `ffmpeg -ss` anchor instead of 5x).
    static var seekingOptions: DecoderOptions {
        var options = DecoderOptions()
        options.allowFrameThreads = false
        return options
    }

    /// Opens `path` and its best video stream.
    /// - Throws: ``MediaError`` for anything that is not a readable video.
    init(path: String) throws(MediaError) {
        self.path = path
        input = try InputValidation.openWithStreamInfo(path)
        guard let video = input.bestStream(.video) else {
            throw MediaError(path: path, code: .noVideo, message: "no video stream")
        }
        stream = video
        timeBase = video.timeBase
        guard timeBase.isValid, timeBase.numerator > 0, timeBase.denominator > 0 else {
            throw MediaError(path: path, code: .corrupt, message: "video stream has no usable time base")
        }
        let options = SeekableVideo.seekingOptions
        self.options = options
        do {
            reader = try FrameReader(input: input, stream: video, options: options)
        } catch {
            throw MediaError(path: path, libav: error)
        }
        geometry = PictureGeometry(stream: video)
        let rate = video.averageFrameRate.isValid ? video.averageFrameRate : video.realFrameRate
        framesPerSecond = rate.isValid && rate.doubleValue > 0 && rate.doubleValue < 1000 ? rate.doubleValue : 25
        frameDuration = max(1, Timestamp(seconds: 1 / framesPerSecond, timeBase: timeBase).value)
        let containerStart = input.startTime.map { rescale($0, from: .microseconds, to: video.timeBase) }
        let origin = containerStart ?? video.startTime ?? 0
        self.origin = origin
        let streamEnd = video.duration.map { (video.startTime ?? origin) + $0 }
        let containerEnd = input.duration.map { origin + rescale($0, from: .microseconds, to: video.timeBase) }
        let second = Timestamp(seconds: 1, timeBase: timeBase).value
        do {
            presentationIndex = try PresentationIndex(input: input, streamIndex: video.index, stepBack: second)
        } catch {
            throw MediaError(path: path, libav: error)
        }
        if let end = streamEnd ?? containerEnd, end > origin {
            self.end = end
        } else {
            // Raw streams and unfinished recordings state no duration: read the packets' times.
            self.end = origin
            let surveyed = try survey()
            guard let end = surveyed.end, end > origin else {
                throw MediaError(path: path, code: .corrupt, message: "video has no known duration and no timed frames")
            }
            self.end = end
        }
    }

    /// One demux pass (no decoding) over the video stream, from a fresh open
    /// of the file: done at most once, and only for containers without an
    /// index or a duration.
    func survey() throws(MediaError) -> PacketSurvey {
        if let cachedSurvey { return cachedSurvey }
        let made = try PacketSurvey(path: path, streamIndex: stream.index, frameDuration: frameDuration)
        cachedSurvey = made
        return made
    }

    /// The end of the frames that can really be read: less than ``end`` in
    /// truncated files whose header promises more.
    func readableEnd() throws(MediaError) -> Int64 {
        min(end, try survey().end ?? end)
    }

    /// Opens the file again, positioned at its start, for containers that cannot seek.
    private func reopen() throws(MediaError) {
        let fresh = try InputValidation.openWithStreamInfo(path)
        guard fresh.streams.count > stream.index else {
            throw MediaError(path: path, code: .corrupt, message: "video stream vanished on reopening")
        }
        let freshStream = fresh.streams[stream.index]
        do { reader = try FrameReader(input: fresh, stream: freshStream, options: options) } catch {
            throw MediaError(path: path, libav: error)
        }
        input = fresh
        stream = freshStream
        if keyframesOnly { reader.setKeyframesOnly(true) }
    }

    // MARK: Time

    /// Seconds from the start of the file.
    func seconds(_ timestamp: Int64) -> Double {
        // Multiply before dividing so 70 * 1/25 prints as 2.8, not 2.8000000000000003.
        Double(timestamp - origin) * Double(timeBase.numerator) / Double(timeBase.denominator)
    }
    /// The timestamp `seconds` after the start of the file.
    func timestamp(seconds: Double) -> Int64 { origin + Timestamp(seconds: seconds, timeBase: timeBase).value }
    /// Duration in seconds from the start of the file to the end of the video.
    var durationSeconds: Double { seconds(end) }

    /// The frame's 0-based index in presentation order.
    func frameIndex(of timestamp: Int64) throws(MediaError) -> Int {
        do {
            if let index = try presentationIndex.frameIndex(ofPresentationTimestamp: timestamp) { return index }
        } catch {
            throw MediaError(path: path, libav: error)
        }
        return try survey().framesShown(before: timestamp)
    }

    /// Times of the container's keyframes (sorted), from its index, or from
    /// one pass over the packets when the container keeps no index. Cheap in
    /// MP4/MOV and Matroska, whose indexes are read with the header.
    func keyframeTimestamps() throws(MediaError) -> [Int64] {
        if let cachedKeyframes { return cachedKeyframes }
        var times: [Int64] = []
        // MP4/MOV index every sample and Matroska its cues when the file is opened; other
        // demuxers index only what they have read so far, which is no list of keyframes.
        let indexed = input.formatName.hasPrefix("mov,") || input.formatName.hasPrefix("matroska")
        let entries = indexed ? stream.indexEntries : []
        if entries.contains(where: { $0.isKeyframe }) {
            times = entries.filter { $0.isKeyframe && !$0.isDiscard }.map(\.timestamp)
            // MP4/MOV index decode times, and seeking there goes by presentation time:
            // shift by the stream's reorder delay (first shown time minus first decode time).
            if input.formatName.hasPrefix("mov,"), let firstDecode = entries.first(where: { !$0.isDiscard })?.timestamp,
               let firstShown = stream.startTime, firstShown > firstDecode {
                times = times.map { $0 + (firstShown - firstDecode) }
            }
        } else {
            times = try survey().keyframes
        }
        times.sort()
        cachedKeyframes = times
        return times
    }

    // MARK: Decoding

    /// Decodes forward from the keyframe before `target`, handing each frame
    /// and its presentation time to `visit` until it returns false or the video ends.
    /// - Parameter mustStartBefore: when true and the seek lands on a keyframe
    ///   shown after `target` (indexes of B-frame video hold decode times), seek
    ///   further back so the frame shown at `target` is among those visited.
    /// - Parameter readingOn: the caller skips frames before `target` itself, so when the
    ///   last request stopped before `target` with no keyframe in between, reading on
    ///   from there replaces the seek (and the decoding of the same frames again).
    func decode(from target: Int64, mustStartBefore: Bool = true, readingOn: Bool = false,
                _ visit: (Frame, Int64) throws(MediaError) -> Bool) throws(MediaError) {
        // Seek to a known keyframe: demuxers that search by time alone (MPEG-TS) land where asked.
        var seekPoint = cachedKeyframes.flatMap { keyframes in keyframes.last { $0 <= target } } ?? target
        let second = max(frameDuration, Timestamp(seconds: 1, timeBase: timeBase).value)
        var attempt = 0
        var readOn = false
        if readingOn, !cannotSeek, let position = readPosition, position < target, let keyframes = cachedKeyframes {
            readOn = !keyframes.contains { $0 > position && $0 <= target }
        }
        restart: while true {
            var fromStart = seekPoint <= origin
            if readOn {
                readOn = false
            } else if cannotSeek, let position = readPosition, position < seekPoint {
                // Reading on from where the last request stopped is the cheapest way forward.
                fromStart = true
            } else {
                do {
                    if cannotSeek { throw AVError.invalid("cannot seek", operation: "seek") }
                    try reader.seek(toKeyframeBefore: seekPoint)
                } catch {
                    // Containers that cannot seek (raw streams, some MPEG files) are read from the start.
                    try reopen()
                    cannotSeek = true
                    fromStart = true
                    clock = origin
                }
                readPosition = nil
            }
            var first = true
            while true {
                let next: Frame?
                do { next = try reader.nextFrame() } catch { throw MediaError(path: path, libav: error) }
                guard let frame = next else {
                    // Nothing decodable after the seek: demuxers without a keyframe index
                    // (MPEG-TS) land between keyframes; near the end no keyframe follows.
                    if first && !fromStart && seekPoint > origin && attempt < 8 {
                        attempt += 1
                        seekPoint = max(origin - frameDuration, seekPoint - second * Int64(1 << (attempt - 1)))
                        continue restart
                    }
                    return
                }
                var time = reader.presentationTimestamp(of: frame)
                if time == Timestamp.none {
                    // Raw streams carry no times: frames read from the start are timed by counting.
                    guard fromStart else { continue }
                    time = clock
                }
                clock = time + frameDuration
                readPosition = time
                if first {
                    first = false
                    if mustStartBefore && time > target && seekPoint > origin && attempt < 8 {
                        attempt += 1
                        seekPoint = max(origin - frameDuration, seekPoint - max(frameDuration, time - target) * Int64(1 << attempt))
                        continue restart
                    }
                }
                if try !visit(frame, time) { return }
            }
        }
    }

    /// The frame a player shows at `target`: the last one whose presentation
    /// time is at or before it (or the first frame, for a time before it).
    func frame(shownAt target: Int64) throws(MediaError) -> PickedFrame {
        var picked: PickedFrame?
        try decode(from: target) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
            if time > target && picked != nil { return false }
            picked = PickedFrame(frame: try keep(frame), timestamp: time, quality: nil)
            return time < target
        }
        guard let picked else { throw MediaError(path: path, code: .corrupt, message: "no frame could be decoded near \(seconds(target)) s") }
        return picked
    }

    /// A reference to a decoded frame that survives the reader's next call.
    private func keep(_ frame: Frame) throws(MediaError) -> Frame {
        do { return try frame.clone() } catch { throw MediaError(path: path, libav: error) }
    }

    /// Scores a frame for use as a picture of the video.
    func quality(of frame: Frame) throws(MediaError) -> FrameQuality {
        do {
            let active = shrinker ?? AnalysisShrinker(sourceWidth: frame.width, sourceHeight: frame.height)
            shrinker = active
            try active.shrink(frame)
            return active.quality()
        } catch {
            throw MediaError(path: path, libav: error)
        }
    }

    /// A good frame (not black, not flat, not blurred, not mid-fade) in
    /// `[low, high)`, as near `center` as the picture allows, found cheaply.
    ///
    /// Decoding from a keyframe costs nothing extra, so when the container's
    /// index has one in the middle part of the range the search starts there;
    /// otherwise it starts at `center`. A few frames a few apart are scored
    /// with ``FrameQuality``; only when they are all poor (black, flat, or
    /// brightness still changing as in a fade) does the search walk on
    /// through the range, coarser, until it finds a good one.
    /// - Parameter limit: when nothing in the range is good (a black or flat
    ///   section), the search walks on past `high` up to here; defaults to `high`.
    func bestFrame(from low: Int64, to high: Int64, near center: Int64, searchingOnUntil limit: Int64? = nil) throws(MediaError) -> PickedFrame? {
        let limit = max(high, limit ?? high)
        let span = max(frameDuration, high - low)
        let keyframes = try keyframeTimestamps()
        let inner = (low + span / 8)...(max(low + span / 8, high - span / 8))
        let keyframe = keyframes.filter { inner.contains($0) }.min { abs($0 - center) < abs($1 - center) }
        let start = keyframe ?? center
        // Three candidates a tenth of a second apart cost seven decoded frames: enough to
        // tell a steady picture from black, flat or fading ones in the common case.
        let fineStep = max(1, Int((framesPerSecond / 10).rounded()))
        let coarseStep = max(fineStep, Int((framesPerSecond / 2).rounded()))
        let fineCandidates = 3
        var decoded = 0
        // Candidates in order, each marked steady once a neighbour shows the same brightness
        // (a fade changes it from one candidate to the next; a held shot does not).
        var scored: [(frame: PickedFrame, score: Double, brightness: Double, coarse: Bool, steady: Bool)] = []
        var lastBefore: PickedFrame?
        func best(steadyOnly: Bool) -> PickedFrame? {
            scored.filter { !steadyOnly || ($0.steady && $0.score > 0) }.max { better($1.frame, than: $0.frame) }?.frame
        }
        try decode(from: start, mustStartBefore: keyframe == nil, readingOn: true) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
            if time < start {
                // Kept in case nothing follows: a video shorter than the wait still gets a picture.
                lastBefore = PickedFrame(frame: try keep(frame), timestamp: time, quality: nil)
                return true
            }
            if time >= limit && !scored.isEmpty { return false }
            if time >= high && best(steadyOnly: true) != nil { return false }
            defer { decoded += 1 }
            let coarse = scored.count >= fineCandidates
            guard decoded % (coarse ? coarseStep : fineStep) == 0 else { return true }
            let quality = try quality(of: frame)
            var steady = false
            if let previous = scored.last, StillPolicy.isSteady(previous.brightness, next: quality.brightness, coarse: coarse) {
                steady = true
                scored[scored.count - 1].steady = true
            }
            scored.append((PickedFrame(frame: try keep(frame), timestamp: time, quality: quality), quality.posterScore,
                           quality.brightness, coarse, steady))
            // Enough once a real picture (not black, not flat) is held steady (not mid-fade).
            return !(scored.count >= fineCandidates && best(steadyOnly: true) != nil)
        }
        let best = best(steadyOnly: true) ?? best(steadyOnly: false)
        if best == nil, let lastBefore, lastBefore.timestamp >= low - frameDuration {
            return PickedFrame(frame: lastBefore.frame, timestamp: lastBefore.timestamp, quality: try quality(of: lastBefore.frame))
        }
        return best
    }
}

@available(*, unavailable, message: "A SeekableVideo owns a decoder that must stay in one task.")
extension SeekableVideo: Sendable {}
