import CFFmpeg

/// Decodes one stream of an ``InputFile`` frame by frame: the read → send →
/// receive loop of FFmpeg's `demuxing_decoding.c`, written once.
///
/// ```swift
/// let reader = try FrameReader(input: input, stream: video)
/// while let frame = try reader.nextFrame() { ... }   // frame is reused: copy what you keep
/// ```
///
/// Damaged data is handled by ``DamageTolerance`` (skipped and counted in
/// ``damagedPackets``, as the ffmpeg command line does, rather than ending the
/// decode); a file whose every packet is damaged yields no frames and the caller decides.
public final class FrameReader {
    public let input: InputFile
    /// libavcodec's decoder, or when the loop filter is to be skipped libvpx's for VP9 (``VP9Decoder``)
    /// and dav1d for AV1 (``AV1Decoder``).
    private let decoder: any FrameDecoding
    public let streamIndex: Int
    private let packet: Packet
    private let frame: Frame
    private var pendingPacket = false
    private var inputEnded = false
    private var finished = false
    private var damage = DamageTolerance()
    /// Packets skipped as damaged (``DamageTolerance``): rejected by the decoder, or the read that ended a damaged tail.
    public var damagedPackets: Int { damage.damagedPackets }
    /// The first libav error met on a damaged packet, for reporting.
    public var firstDamage: AVError? { damage.firstDamage }
    /// Packets of the stream read so far.
    public private(set) var packetsRead = 0
    /// A file position where reading ends as at the end of the file: the first packet of the
    /// stream at or beyond it is not decoded, and the decoder is drained instead. A caller that
    /// decodes a stretch up to a keyframe sets it to the keyframe's position, so that the decoder
    /// does not decode the next stretch's keyframe only to learn that its frame is past the end.
    /// Packets of unknown position never stop the reading.
    public var stopPosition: Int64?
    /// Reading ended at ``stopPosition`` (since the last seek), not at the file's end.
    public private(set) var stoppedAtPosition = false

    /// - Parameters:
    ///   - input: the open file; only `stream` is demuxed from now on.
    ///   - stream: the stream to decode.
    ///   - options: decoder options (threads, skipping, motion vectors).
    public convenience init(input: InputFile, stream: MediaStream, options: DecoderOptions = DecoderOptions()) throws(AVError) {
        // libavcodec's VP9 decoder and its dav1d wrapper ignore `skip_loop_filter`; libvpx and dav1d
        // themselves honour it (see VP9Decoder, AV1Decoder).
        let decoder: any FrameDecoding = if options.skipLoopFilter && VP9Decoder.decodes(stream) {
            try VP9Decoder(stream: stream, options: options)
        } else if options.skipLoopFilter && AV1Decoder.decodes(stream) {
            try AV1Decoder(stream: stream, options: options)
        } else {
            try Decoder(stream: stream, options: options)
        }
        try self.init(input: input, stream: stream, decoder: decoder)
    }

    /// Reads `stream` with a decoder made for it.
    public init(input: InputFile, stream: MediaStream, decoder: any FrameDecoding) throws(AVError) {
        self.input = input
        self.streamIndex = stream.index
        self.decoder = decoder
        self.packet = try Packet()
        self.frame = try Frame()
        input.selectStreams([stream.index])
    }

    /// The next decoded frame in presentation order, or nil at the end.
    /// The returned frame is owned by the reader and overwritten by the next call.
    public func nextFrame() throws(AVError) -> Frame? {
        if finished { return nil }
        while true {
            frame.unreference()
            switch try damage.receive(decoder, into: frame) {
            case .frame: return frame
            case .endOfStream:
                finished = true
                return nil
            case .needsInput, nil: break  // nil: a damaged picture, skipped
            }
            if inputEnded {
                // The decoder wants input after draining started: nothing more will come.
                finished = true
                return nil
            }
            if !pendingPacket {
                packet.unreference()
                var gotPacket = false
                while !gotPacket {
                    if try damage.read(input, into: packet) == .endOfFile {
                        try damage.sendEndOfStream(decoder)
                        inputEnded = true
                        break
                    }
                    guard packet.streamIndex == streamIndex else {
                        packet.unreference()
                        continue
                    }
                    if let stopPosition, packet.position >= stopPosition {
                        packet.unreference()
                        try damage.sendEndOfStream(decoder)
                        inputEnded = true
                        stoppedAtPosition = true
                        break
                    }
                    gotPacket = true
                }
                if inputEnded { continue }
                packetsRead += 1
                pendingPacket = true
            }
            switch try damage.send(decoder, packet) {
            case .accepted, nil: pendingPacket = false  // nil: damaged, skipped
            default: break
            }
        }
    }

    /// Moves to the keyframe at or before `timestamp` (stream time base) and
    /// resets the decoder, so the next frames decode from there.
    public func seek(toKeyframeBefore timestamp: Int64) throws(AVError) {
        try input.seek(stream: streamIndex, toKeyframeBefore: timestamp)
        decoder.flush()
        pendingPacket = false
        inputEnded = false
        stoppedAtPosition = false
        finished = false
    }

    /// The decoder's name, e.g. "h264" or "libvpx-vp9".
    public var decoderName: String { decoder.codecName }

    /// Changes which frames are decoded at all (between keyframes only and all frames).
    public func setKeyframesOnly(_ keyframesOnly: Bool) { decoder.setKeyframesOnly(keyframesOnly) }

    /// The presentation time of a decoded frame in the stream time base:
    /// `best_effort_timestamp`, falling back to `pts`.
    public func presentationTimestamp(of frame: Frame) -> Int64 {
        let best = frame.bestEffortTimestamp
        return best != Timestamp.none ? best : frame.pts
    }
}

@available(*, unavailable, message: "A FrameReader owns libav objects that must stay in one task.")
extension FrameReader: Sendable {}
