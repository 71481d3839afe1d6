import LibAV

/// An input opened for cutting: its video stream, its time origin and length,
/// and the conversion between the seconds people give and the stream's exact
/// timestamps.
final class ClipSource {
    let path: String
    let input: InputFile
    let video: MediaStream
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
        var duration = input.duration.map { Double($0) / 1_000_000 }
        if duration == nil, let streamDuration = video.duration {
            duration = Timestamp(streamDuration, video.timeBase).seconds
        }
        guard let duration, duration > 0, duration.isFinite, duration < 1_000_000 else {
            throw MediaError(path: path, code: .corrupt, message: "has no usable duration to cut a range from")
        }
        durationSeconds = duration
    }

    /// The stream timestamp (in ``timeBase``) of `seconds` after the origin.
    func timestamp(seconds: Double) -> Int64 {
        rescale(originMicroseconds, from: .microseconds, to: timeBase) + Timestamp(seconds: seconds, timeBase: timeBase).value
    }

    /// Seconds after the origin of a timestamp in `base` (the video time base by default).
    func seconds(_ value: Int64, in base: Rational? = nil) -> Double {
        Timestamp(value, base ?? timeBase).seconds - Double(originMicroseconds) / 1_000_000
    }

    /// One nominal frame, in seconds (for tolerances).
    var frameSeconds: Double {
        let rate = video.averageFrameRate.isValid ? video.averageFrameRate : video.realFrameRate
        return rate.isValid && rate.doubleValue > 0 ? 1 / rate.doubleValue : 1.0 / 25
    }

    /// Checks a requested range against the media (SPEC section 6).
    func validate(start: Double, end: Double) throws(MediaError) {
        guard start.isFinite, end.isFinite, start >= 0 else {
            throw MediaError(path: path, code: .invalidRange, message: "start and end must be finite times at or after 0")
        }
        guard start < end else {
            throw MediaError(path: path, code: .invalidRange, message: "start (\(format(start)) s) must be before end (\(format(end)) s)")
        }
        guard start < durationSeconds else {
            throw MediaError(path: path, code: .invalidRange,
                             message: "range starts at \(format(start)) s, at or after the end of the media (\(format(durationSeconds)) s)")
        }
        guard end <= durationSeconds + frameSeconds else {
            throw MediaError(path: path, code: .invalidRange,
                             message: "range ends at \(format(end)) s, after the end of the media (\(format(durationSeconds)) s)")
        }
    }

    func libavError(_ error: AVError) -> MediaError { MediaError(path: path, libav: error) }
}

@available(*, unavailable, message: "A ClipSource owns an InputFile that must stay in one task.")
extension ClipSource: Sendable {}

func format(_ seconds: Double) -> String {
    let rounded = (seconds * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}

/// One video packet's timing, as read in decoding order.
struct PacketTiming: Sendable, Hashable {
    var pts: Int64
    var dts: Int64
    var duration: Int64
    var isKeyframe: Bool
    /// For H.264: whether the packet holds an IDR slice (decoding can start
    /// here with nothing before it referenced later). Nil for other codecs.
    var isIDR: Bool?
}

/// The video packets around a requested range, read once to decide exactly
/// what to copy: from the keyframe at or before the start through the last
/// packet that a frame before the end needs (B-frames come after the frames
/// they reference in decoding order, so that can be a frame shown after `end`).
struct VideoRangeScan {
    /// Where to seek to reproduce the same packet sequence (video time base).
    var seekTarget: Int64
    /// Packets in decoding order from the seek point.
    var packets: [PacketTiming]
    /// Index of the first keyframe in ``packets``.
    var keyIndex: Int
    var startTimestamp: Int64
    var endTimestamp: Int64

    /// Presentation time of the first frame at or after the start.
    var firstIncludedPTS: Int64? {
        packets[keyIndex...].filter { $0.pts >= startTimestamp && $0.pts < endTimestamp }.map(\.pts).min()
    }
    /// Frames whose presentation time lies in the range.
    var includedFrames: Int { packets[keyIndex...].filter { $0.pts >= startTimestamp && $0.pts < endTimestamp }.count }
    /// The last packet (decoding order) whose frame is shown before the end.
    var lastNeededIndex: Int? { packets.indices.last { $0 >= keyIndex && packets[$0].pts < endTimestamp && !isLeading($0, after: keyIndex) } }
    /// The presentation time of the first frame at or after the end, if the media has one.
    var nextFramePTS: Int64? { packets.filter { $0.pts >= endTimestamp }.map(\.pts).min() }
    /// The end of the last included frame (its time plus duration), for ranges that run to the media's end.
    var includedEnd: Int64? {
        packets[keyIndex...].filter { $0.pts >= startTimestamp && $0.pts < endTimestamp }.map { $0.pts + max($0.duration, 0) }.max()
    }

    /// A packet decoded after the keyframe at `keyIndex` but shown before it:
    /// a leading picture of an open GOP, which references the previous GOP.
    func isLeading(_ index: Int, after keyIndex: Int) -> Bool {
        index > keyIndex && packets[index].pts < packets[keyIndex].pts
    }

    /// Index of the first keyframe at or after the start that decoding can
    /// start from cleanly (an IDR for H.264), before the end.
    var firstCleanKeyframeInRange: Int? {
        packets.indices.first { index in
            let packet = packets[index]
            return index >= keyIndex && packet.isKeyframe && packet.pts >= startTimestamp && packet.pts < endTimestamp
                && packet.isIDR != false
        }
    }

    /// Reads video packet timings from the keyframe at or before `start`,
    /// seeking further back when the keyframe the demuxer lands on is shown
    /// after `start` (its decoding time was before, its presentation after).
    static func scan(_ source: ClipSource, start: Int64, end: Int64, detectIDR: Bool) throws(MediaError) -> VideoRangeScan {
        let input = source.input
        let oneSecond = max(1, Timestamp(seconds: 1, timeBase: source.timeBase).value)
        let earliest = (source.video.startTime ?? 0) - oneSecond
        var target = start
        var stepBack = oneSecond
        let lengthSize = detectIDR ? (AVCConfiguration(source.video.extradata)?.lengthSize ?? 4) : 0
        input.selectStreams([source.videoIndex])
        defer { input.selectStreams(Set(0..<input.streams.count)) }
        do {
            let packet = try Packet()
            while true {
                try input.seek(stream: source.videoIndex, toKeyframeBefore: target)
                var packets: [PacketTiming] = []
                var keyIndex: Int? = nil
                var earliestAfterEnd: Int64? = nil
                while try input.read(into: packet) == .packet {
                    defer { packet.unreference() }
                    guard packet.streamIndex == source.videoIndex else { continue }
                    let pts = packet.pts != Timestamp.none ? packet.pts : packet.dts
                    let dts = packet.dts != Timestamp.none ? packet.dts : pts
                    guard pts != Timestamp.none else { continue }
                    var idr: Bool? = nil
                    if detectIDR && packet.isKeyframe {
                        idr = packet.withUnsafeData { data in
                            (H264Bitstream.lengthPrefixedUnits(data, lengthSize: lengthSize) ?? H264Bitstream.annexBUnits(Array(data)))
                                .contains { H264Bitstream.unitType($0) == H264Bitstream.UnitType.idrSlice.rawValue }
                        }
                    }
                    packets.append(PacketTiming(pts: pts, dts: dts, duration: packet.duration, isKeyframe: packet.isKeyframe, isIDR: idr))
                    if keyIndex == nil && packet.isKeyframe { keyIndex = packets.count - 1 }
                    // Once decoding time passes the end, and passes the earliest frame
                    // seen at or after the end, no later packet is shown before either.
                    if pts >= end { earliestAfterEnd = min(earliestAfterEnd ?? pts, pts) }
                    if keyIndex != nil, dts >= end, let earliestAfterEnd, dts >= earliestAfterEnd { break }
                }
                guard let keyIndex else {
                    if target <= earliest { throw MediaError(path: source.path, code: .corrupt, message: "no keyframe to start decoding from") }
                    target -= stepBack
                    stepBack *= 2
                    continue
                }
                if packets[keyIndex].pts > start && target > earliest {
                    target = min(target - stepBack, packets[keyIndex].dts - 1)
                    stepBack *= 2
                    continue
                }
                return VideoRangeScan(seekTarget: target, packets: packets, keyIndex: keyIndex, startTimestamp: start, endTimestamp: end)
            }
        } catch let error as MediaError {
            throw error
        } catch let error as AVError {
            throw source.libavError(error)
        } catch {
            throw MediaError(path: source.path, code: .libav, message: "\(error)")
        }
    }
}
