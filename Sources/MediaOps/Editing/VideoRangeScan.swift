import LibAV

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
    /// Reordered packets (B-frames) without presentation times, as in AVI:
    /// which frames they show is unknown until decoded, so they cannot be copied by range.
    var lacksPresentationTimes = false

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

    /// Seeks to the keyframe at or before `target`; demuxers that cannot seek
    /// by time (an FLV without index, a fragmented MP4 without samples in its
    /// index) go back to the first byte instead, or have the file reopened.
    static func seek(_ source: ClipSource, to target: Int64) throws {
        do {
            try source.input.seek(stream: source.videoIndex, toKeyframeBefore: target)
        } catch {
            do { try source.input.seekToFirstByte() } catch { try source.reopen() }
        }
    }

    /// Gives every packet a decoding time: strictly increasing and never after
    /// its presentation time, as MP4 muxing requires. Missing values are set
    /// just before the next known one, or, when none is known, from the sorted
    /// presentation times shifted by the reordering depth.
    static func fillDecodingTimes(_ packets: inout [PacketTiming]) {
        guard packets.contains(where: { $0.dts == Timestamp.none }) else { return }
        let sorted = packets.map(\.pts).sorted()
        let shift = zip(sorted, packets).map { max(0, $0 - $1.pts) }.max() ?? 0
        var nextKnown: (index: Int, dts: Int64)? = nil
        for index in packets.indices.reversed() {
            if packets[index].dts != Timestamp.none {
                nextKnown = (index, packets[index].dts)
                continue
            }
            if let next = nextKnown {
                packets[index].dts = min(packets[index].pts, next.dts - Int64(next.index - index))
            } else {
                packets[index].dts = sorted[index] - shift
            }
        }
        for index in packets.indices.dropFirst() where packets[index].dts <= packets[index - 1].dts {
            packets[index].dts = packets[index - 1].dts + 1
        }
    }

    /// Reads video packet timings from the keyframe at or before `start`,
    /// seeking further back when the keyframe the demuxer lands on is shown
    /// after `start` (its decoding time was before, its presentation after).
    static func scan(_ source: ClipSource, start: Int64, end: Int64, detectIDR: Bool) throws(MediaError) -> VideoRangeScan {
        let oneSecond = max(1, Timestamp(seconds: 1, timeBase: source.timeBase).value)
        let earliest = (source.video.startTime ?? 0) - oneSecond
        var target = start
        var stepBack = oneSecond
        let lengthSize = detectIDR ? (AVCConfiguration(source.video.extradata)?.lengthSize ?? 4) : 0
        source.input.selectStreams([source.videoIndex])
        defer { source.input.selectStreams(Set(0..<source.input.streams.count)) }
        do {
            let packet = try Packet()
            while true {
                try seek(source, to: target)
                let input = source.input
                var missingPresentationTimes = 0
                var packets: [PacketTiming] = []
                var keyIndex: Int? = nil
                var earliestAfterEnd: Int64? = nil
                while try input.read(into: packet) == .packet {
                    defer { packet.unreference() }
                    guard packet.streamIndex == source.videoIndex else { continue }
                    // Containers leave gaps: AVI has no presentation times, Matroska no
                    // decoding times (after a seek, the first few). Filled in below.
                    if packet.pts == Timestamp.none { missingPresentationTimes += 1 }
                    let pts = packet.pts != Timestamp.none ? packet.pts : packet.dts
                    let dts = packet.dts
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
                    if keyIndex != nil, dts != Timestamp.none, dts >= end, let earliestAfterEnd, dts >= earliestAfterEnd { break }
                }
                guard let keyIndex else {
                    if target <= earliest {
                        throw MediaError(path: source.path, code: .corrupt, message: "no video keyframe at or before the range to start decoding from")
                    }
                    target -= stepBack
                    stepBack *= 2
                    continue
                }
                if packets[keyIndex].pts > start && target > earliest {
                    target = min(target - stepBack, packets[keyIndex].dts - 1)
                    stepBack *= 2
                    continue
                }
                if packets[keyIndex].pts >= end {
                    throw MediaError(path: source.path, code: .invalidRange,
                                     message: "no video frame in the range can be decoded: the first keyframe at or before it is at \(secondsText(source.seconds(packets[keyIndex].pts))) s")
                }
                fillDecodingTimes(&packets)
                return VideoRangeScan(seekTarget: target, packets: packets, keyIndex: keyIndex, startTimestamp: start, endTimestamp: end,
                                      lacksPresentationTimes: missingPresentationTimes > 0 && source.video.reorderDepth > 0)
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
