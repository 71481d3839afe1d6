import LibAV

/// One picked frame: a reference to its decoded picture (cheap, no pixel
/// copy), its presentation timestamp and, when it was scored, its quality.
struct PickedFrame {
    let frame: Frame
    let timestamp: Int64
    let quality: FrameQuality?
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
    let input: InputFile
    let stream: MediaStream
    let reader: FrameReader
    let geometry: PictureGeometry
    let timeBase: Rational
    /// The timestamp shown to users as 0 s.
    let origin: Int64
    /// Where the video's frames end (exclusive), in ``timeBase``.
    let end: Int64
    /// About one frame's duration, in ``timeBase`` (at least 1).
    let frameDuration: Int64
    /// Nominal frames per second (25 when the file does not say).
    let framesPerSecond: Double
    private let presentationIndex: PresentationIndex
    private var shrinker: LumaShrinker?
    private var cachedKeyframes: [Int64]?

    /// Decoder settings for seeking: a handful of frames per seek, so frame
    /// threads (which must fill their pipeline again after every seek, and
    /// decode frames ahead that are then thrown away) cost more than they give.
    static var seekingOptions: DecoderOptions {
        var options = DecoderOptions()
        options.allowFrameThreads = false
        return options
    }

    /// Opens `path` and its best video stream.
    /// - Throws: ``MediaError`` for anything that is not a readable video.
    init(path: String, options: DecoderOptions = SeekableVideo.seekingOptions) throws(MediaError) {
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
        guard let end = streamEnd ?? containerEnd, end > origin else {
            throw MediaError(path: path, code: .corrupt, message: "video has no known duration")
        }
        self.end = end
        let second = Timestamp(seconds: 1, timeBase: timeBase).value
        do {
            presentationIndex = try PresentationIndex(input: input, streamIndex: video.index, stepBack: second)
        } catch {
            throw MediaError(path: path, libav: error)
        }
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
        do { return try presentationIndex.frameIndex(ofPresentationTimestamp: timestamp) } catch {
            throw MediaError(path: path, libav: error)
        }
    }

    /// Times of the container's keyframes (sorted), from its index, or from
    /// one pass over the packets when the container keeps no index. Cheap in
    /// MP4/MOV and Matroska, whose indexes are read with the header.
    func keyframeTimestamps() throws(MediaError) -> [Int64] {
        if let cachedKeyframes { return cachedKeyframes }
        var times: [Int64] = []
        let entries = input.indexEntries(stream: stream.index)
        if entries.contains(where: { $0.isKeyframe }) {
            times = entries.filter { $0.isKeyframe && !$0.isDiscard }.map(\.timestamp)
            // MP4/MOV index decode times, and seeking there goes by presentation time:
            // shift by the stream's reorder delay (first shown time minus first decode time).
            if input.formatName.hasPrefix("mov,"), let firstDecode = entries.first(where: { !$0.isDiscard })?.timestamp,
               let firstShown = stream.startTime, firstShown > firstDecode {
                times = times.map { $0 + (firstShown - firstDecode) }
            }
        } else {
            do {
                try input.rewind()
                let packet = try Packet()
                while true {
                    let result: ReadResult
                    do { result = try input.read(into: packet) } catch where error.isInvalidData { break }
                    if result == .endOfFile { break }
                    if packet.streamIndex == stream.index && packet.isKeyframe && !packet.isDiscard {
                        let shown = packet.pts != Timestamp.none ? packet.pts : packet.dts
                        if shown != Timestamp.none { times.append(shown) }
                    }
                    packet.unreference()
                }
            } catch {
                throw MediaError(path: path, libav: error)
            }
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
    func decode(from target: Int64, mustStartBefore: Bool = true,
                _ visit: (Frame, Int64) throws(MediaError) -> Bool) throws(MediaError) {
        var seekPoint = target
        var attempt = 0
        restart: while true {
            do { try reader.seek(toKeyframeBefore: seekPoint) } catch {
                throw MediaError(path: path, code: .corrupt, message: "cannot seek in the video (\(error.message))")
            }
            var first = true
            while true {
                let next: Frame?
                do { next = try reader.nextFrame() } catch { throw MediaError(path: path, libav: error) }
                guard let frame = next else { return }
                let time = reader.presentationTimestamp(of: frame)
                if time == Timestamp.none { continue }
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
            if shrinker == nil {
                let size = LumaShrinker.size(forSourceWidth: frame.width, height: frame.height, targetPixels: 128 * 72)
                shrinker = LumaShrinker(width: size.width, height: size.height)
            }
            return FrameQuality(try shrinker!.shrink(frame))
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
        var scored: [(quality: FrameQuality, frame: PickedFrame)] = []
        var best: PickedFrame?
        var bestScore = -1.0
        try decode(from: start, mustStartBefore: keyframe == nil) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
            if time < start { return true }
            if time >= limit && best != nil { return false }
            if time >= high && bestScore > 0 { return false }
            defer { decoded += 1 }
            let step = scored.count < fineCandidates ? fineStep : coarseStep
            guard decoded % step == 0 else { return true }
            let quality = try quality(of: frame)
            let candidate = PickedFrame(frame: try keep(frame), timestamp: time, quality: quality)
            scored.append((quality, candidate))
            if quality.posterScore > bestScore {
                bestScore = quality.posterScore
                best = candidate
            }
            if scored.count < fineCandidates { return true }
            // Enough when the best is a real picture and the brightness is steady (not mid-fade).
            let recent = scored.suffix(fineCandidates)
            let brightnessDrift = abs(recent.first!.quality.brightness - recent.last!.quality.brightness)
            let steady = brightnessDrift < 0.03
            return !(bestScore > 0 && steady)
        }
        return best
    }
}

@available(*, unavailable, message: "A SeekableVideo owns a decoder that must stay in one task.")
extension SeekableVideo: Sendable {}
