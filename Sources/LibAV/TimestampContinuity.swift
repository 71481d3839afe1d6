import CFFmpeg

/// One clock for a file whose own clock jumps.
///
/// MPEG transport and program streams carry the encoder's clock as it was: two
/// recordings joined by `cat a.ts b.ts`, a capture across an encoder restart or a
/// splice start the clock again mid-file, so the second part's timestamps repeat
/// the first part's (or leap ahead). Read as they are, such a file is as long as its
/// longest part (ffprobe says 4 s of a join of two 4 s files), a time names two
/// frames, and a seek by time lands in whichever part a binary search meets first.
/// FFmpeg's command line shifts such jumps away while it reads (for formats libav
/// flags `AVFMT_TS_DISCONT`), but its seeks and ffprobe do not, so the analysis's
/// times (one frame after another) named frames a clip could not find.
///
/// Here the file's timeline is made continuous once, for every reader alike: when
/// the file is opened, its packets are read through (demuxing only: about a
/// second per GB from the page cache) and, as FFmpeg's command line does, a jump of
/// a video or audio stream's decoding times (back by more than a tenth of a second,
/// or ahead by more than ten seconds) starts a *shift* of the whole file: from that
/// packet on, every stream's timestamps move by one amount, so that each part's sound
/// stays with its pictures. The pictures lead: the amount lets the video go on one
/// frame after its last; a part's sound frames that then overlap the part before by a
/// few milliseconds are dropped as they are read. A stream whose own clock did not
/// jump with the others (its first packet under the shift a second or more off its
/// course) keeps its own times instead. Reads shift each packet by the shift in force
/// at its byte position, so a reader that seeks gets the same times as one that reads
/// from the start; seeks go by byte to the keyframe the scan found. Files whose clock
/// does not jump (nearly all) keep libav's own reading and seeking.
///
/// Only the demuxers of files that do this (`mpegts`, `mpegtsraw`, `mpeg`):
/// Ogg's chained files and FLV carry the same flag but a continuous clock in the
/// files this program meets. Data appended after the scan (a file still being
/// written) keeps the last shift.
final class TimestampContinuity {
    /// Demuxers whose files are scanned for jumps.
    static let demuxers: Set<String> = ["mpegts", "mpegtsraw", "mpeg"]

    /// From the packet at `position` on, every stream's timestamps move by `offset` (microseconds,
    /// `AV_TIME_BASE`; a stream's own is rescaled from it), but a stream whose own clock did not jump
    /// with the others by its own (`ownOffsets`).
    struct Shift {
        var position: Int64
        var offset: Int64
        var ownOffsets: [Int: Int64] = [:]
    }

    /// A keyframe the scan met, its presentation time on the continuous timeline.
    struct Keyframe {
        var time: Int64
        var position: Int64
    }

    /// What the scan learnt of one stream.
    struct Track {
        var timeBase: AVRational
        var keyframes: [Keyframe] = []
        /// The last (shifted) decoding time and the gap before it, to tell a jump and where to continue.
        var lastTime: Int64?
        var step: Int64 = 0
        /// Where the last packet was, and how many shifts were in force for it (its shift's number plus one).
        var lastPosition: Int64 = -1
        var shiftsSeen = 0
        /// The first and the furthest presentation times (shifted; the end includes the last packet's duration).
        var start: Int64?
        var end: Int64?

        /// Moves what was noted from `position` on by `amount` (the stream's time base).
        mutating func move(from position: Int64, by amount: Int64) {
            guard lastPosition >= position else { return }
            lastTime = lastTime.map { $0 + amount }
            end = end.map { $0 + amount }
            for index in keyframes.indices.reversed() {
                guard keyframes[index].position >= position else { break }
                keyframes[index].time += amount
            }
        }
    }

    private(set) var tracks: [Int: Track] = [:]
    /// The shifts in file order.
    private(set) var shifts: [Shift] = []
    /// The shift each stream's last packet read was moved by, for packets that come without a
    /// position (the last frames of a part's sound, flushed from the parser after the next part began).
    private var lastReadOffsets: [Int: Int64] = [:]
    /// Each sound stream's last decoding time read since the last seek.
    private var lastReadTimes: [Int: Int64] = [:]
    /// Whether the scan has met a video packet yet: from then on the pictures set each shift.
    private var sawVideo = false

    /// Whether the file's clock jumped: only then are packets and seeks handled here.
    var jumped: Bool { !shifts.isEmpty }

    /// Reads `context`'s packets through from where it stands (just opened: the start) and
    /// returns there by byte; nil when the demuxer is not one of ``demuxers`` or nothing could
    /// be read. A read error ends the scan with what was read (the reader meets it later).
    static func scan(_ context: UnsafeMutablePointer<AVFormatContext>) -> TimestampContinuity? {
        guard demuxers.contains(String(cString: context.pointee.iformat.pointee.name)),
              let packet = try? Packet() else { return nil }
        let continuity = TimestampContinuity()
        while av_read_frame(context, packet.pointer) >= 0 {
            let index = packet.streamIndex
            if index >= 0, index < Int(context.pointee.nb_streams), let stream = context.pointee.streams[index] {
                continuity.observe(packet.pointer.pointee, stream: index, timeBase: stream.pointee.time_base,
                                   kind: stream.pointee.codecpar.pointee.codec_type)
            }
            packet.unreference()
        }
        guard avformat_seek_file(context, -1, 0, 0, 0, AVSEEK_FLAG_BYTE) >= 0, !continuity.tracks.isEmpty else { return nil }
        return continuity
    }

    /// Takes one packet in file order: a jump of a video or sound stream (FFmpeg's choice too;
    /// subtitles come seconds apart) starts a shift; keyframes and extents are noted.
    ///
    /// The shift is worked out from the stream that jumps first, so that it goes on one packet
    /// after its last. Then the pictures lead: the video's first packet under the shift sets it so
    /// that the video goes on one frame after its last, whichever stream began it (a part's sound
    /// often starts a little before its pictures and ends a little after them). The sound's few
    /// milliseconds that then overlap the part before are dropped as they are read (``shift(_:isSound:)``).
    /// A file without pictures: the sound's first packet under a shift raises it only so far that its
    /// times still rise (a sound packet of a transport stream holds several frames but states one
    /// frame's duration, so its true end is not known here).
    func observe(_ packet: AVPacket, stream index: Int, timeBase: AVRational, kind: AVMediaType) {
        let decoding = packet.dts != Timestamp.none ? packet.dts : packet.pts
        guard decoding != Timestamp.none else { return }
        let isVideo = kind == AVMEDIA_TYPE_VIDEO
        if isVideo { sawVideo = true }
        // The shift in force: by position (a part's last packets may come after the next part's
        // first), or for a packet without one, its stream's last.
        var inForce = packet.pos >= 0 ? shiftCount(at: packet.pos) : tracks[index]?.shiftsSeen ?? shifts.count
        if isVideo || kind == AVMEDIA_TYPE_AUDIO, let track = tracks[index], let last = track.lastTime {
            var shifted = decoding + offset(shifts: inForce, stream: index, timeBase: timeBase)
            let expected = last + max(track.step, 0)
            let tenth = av_rescale_q(100_000, Self.microseconds, timeBase)
            let tenSeconds = av_rescale_q(10_000_000, Self.microseconds, timeBase)
            var first = track.shiftsSeen < inForce && inForce == shifts.count
            // Back before the last packet (FFmpeg's test too: not before where the stream was expected,
            // which a gap's long step would make of every packet after it), or far ahead.
            if !first, shifted + tenth < last || shifted > last + tenSeconds, packet.pos >= 0 {
                if inForce == shifts.count {
                    let own = inForce == 0 ? 0 : offsetMicroseconds(shifts[inForce - 1], stream: index)
                    shifts.append(Shift(position: packet.pos, offset: own + av_rescale_q(expected - shifted, timeBase, Self.microseconds)))
                    inForce = shifts.count
                } else if inForce == shifts.count - 1 {
                    // A packet of the new part that lies before where another stream began the shift
                    // (a program stream's picture is placed where its first piece began): the shift
                    // begins here.
                    shifts[shifts.count - 1].position = packet.pos
                    inForce = shifts.count
                    shifted = decoding + offset(shifts: inForce, stream: index, timeBase: timeBase)
                    first = true
                }
            } else if !first, shifted > last, track.step <= 0 || shifted - last <= 2 * track.step {
                // The step is a frame's: the gap a damaged or missing stretch leaves is not one.
                tracks[index]?.step = shifted - last
            }
            if first {
                // How far the stream's first packet under the shift is from going on one step after its last.
                let off = av_rescale_q(expected - shifted, timeBase, Self.microseconds)
                if abs(off) > Self.ownClockLimit {
                    // This stream's clock did not jump with the one that began the shift (a sound clock
                    // that goes on across a join where the pictures' starts again): it goes on by its own.
                    shifts[inForce - 1].ownOffsets[index] = offsetMicroseconds(shifts[inForce - 1], stream: index) + off
                } else if isVideo {
                    move(by: off)
                } else if !sawVideo, shifted <= last {
                    move(by: av_rescale_q(last + 1 - shifted, timeBase, Self.microseconds))
                }
            }
        }
        var track = tracks[index] ?? Track(timeBase: timeBase)
        let streamOffset = offset(shifts: inForce, stream: index, timeBase: timeBase)
        if packet.duration > 0 && track.lastTime == nil { track.step = packet.duration }
        track.lastTime = decoding + streamOffset
        if packet.pos >= 0 { track.lastPosition = packet.pos }
        track.shiftsSeen = inForce
        let presentation = (packet.pts != Timestamp.none ? packet.pts : decoding) + streamOffset
        track.start = min(track.start ?? presentation, presentation)
        track.end = max(track.end ?? presentation, presentation + max(packet.duration, 0))
        if packet.flags & AV_PKT_FLAG_KEY != 0, packet.pos >= 0 {
            track.keyframes.append(Keyframe(time: presentation, position: packet.pos))
        }
        tracks[index] = track
    }

    /// Moves the latest shift by `amount` microseconds, and what the scan noted since it began
    /// (but not of the streams that go by their own clock).
    private func move(by amount: Int64) {
        guard amount != 0, let latest = shifts.last else { return }
        shifts[shifts.count - 1].offset += amount
        for (index, var track) in tracks where track.shiftsSeen == shifts.count && latest.ownOffsets[index] == nil {
            track.move(from: latest.position, by: av_rescale_q(amount, Self.microseconds, track.timeBase))
            tracks[index] = track
        }
    }

    /// How many shifts have begun at or before byte `position` (shifts are in file order).
    private func shiftCount(at position: Int64) -> Int {
        var low = 0, high = shifts.count
        while low < high {
            let middle = (low + high) / 2
            if shifts[middle].position <= position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// How far a stream's first packet under a shift may be from going on after its last before its
    /// clock is taken not to have jumped with the others: a second (a part's sound starts and ends a
    /// few frames off its pictures).
    private static let ownClockLimit: Int64 = 1_000_000

    /// The stream's offset under `shift`, in microseconds.
    private func offsetMicroseconds(_ shift: Shift, stream index: Int) -> Int64 {
        shift.ownOffsets[index] ?? shift.offset
    }

    /// The stream's offset under the first `count` shifts' last, in `timeBase`.
    private func offset(shifts count: Int, stream index: Int, timeBase: AVRational) -> Int64 {
        count == 0 ? 0 : av_rescale_q(offsetMicroseconds(shifts[count - 1], stream: index), Self.microseconds, timeBase)
    }

    private static let microseconds = AVRational(num: 1, den: AV_TIME_BASE)

    /// The offset in force for a packet of stream `index` at byte `position`, in `timeBase` (its stream's).
    func offset(stream index: Int, at position: Int64, timeBase: AVRational) -> Int64 {
        offset(shifts: shiftCount(at: position), stream: index, timeBase: timeBase)
    }

    /// Moves a packet just read onto the continuous timeline: by the shift in force at its
    /// position, or for one without a position by its stream's last.
    /// - Returns: false for a sound packet to drop: one that would go back before the last one
    ///   read of its stream. The scan reads before libav knows the codecs, and the sound's
    ///   packets then come whole from the transport stream's packets; read later they may come
    ///   split into frames, and the last frames of a part may overlap the next part's first
    ///   by a few milliseconds once shifted. A muxer refuses times that go back.
    func shift(_ packet: UnsafeMutablePointer<AVPacket>, isSound: Bool) -> Bool {
        let stream = Int(packet.pointee.stream_index)
        let offset = packet.pointee.pos >= 0 ? offset(stream: stream, at: packet.pointee.pos, timeBase: packet.pointee.time_base)
            : lastReadOffsets[stream] ?? 0
        lastReadOffsets[stream] = offset
        if packet.pointee.pts != Timestamp.none { packet.pointee.pts += offset }
        if packet.pointee.dts != Timestamp.none { packet.pointee.dts += offset }
        let decoding = packet.pointee.dts != Timestamp.none ? packet.pointee.dts : packet.pointee.pts
        guard isSound, decoding != Timestamp.none else { return true }
        if let last = lastReadTimes[stream], decoding <= last { return false }
        lastReadTimes[stream] = decoding
        return true
    }

    /// Forgets the last times read (after a seek, the next packets may well come before them).
    func forgetReadTimes() {
        lastReadTimes = [:]
    }

    /// The byte position of the keyframe of stream `index` to seek to for `timestamp` (continuous
    /// timeline, the stream's time base): the last at or before it, or with `nearest` the closest
    /// either side; the first keyframe when none is before. Nil when the scan met none.
    func keyframePosition(stream index: Int, for timestamp: Int64, nearest: Bool) -> Int64? {
        guard let keyframes = tracks[index]?.keyframes, let first = keyframes.first else { return nil }
        if nearest {
            return keyframes.min { abs($0.time - timestamp) < abs($1.time - timestamp) }?.position
        }
        return keyframes.last { $0.time <= timestamp }?.position ?? first.position
    }

    /// The stream's duration on the continuous timeline (its time base), nil when unknown.
    func duration(stream index: Int) -> Int64? {
        guard let track = tracks[index], let start = track.start, let end = track.end, end > start else { return nil }
        return end - start
    }

    /// The furthest end of any stream in microseconds (`AV_TIME_BASE`), nil when unknown.
    var endMicroseconds: Int64? {
        tracks.values.compactMap { track in track.end.map { av_rescale_q($0, track.timeBase, Self.microseconds) } }.max()
    }
}
