import CFFmpeg

/// Decodes one stream of an ``InputFile`` frame by frame: the read → send →
/// receive loop of FFmpeg's `demuxing_decoding.c`, written once.
///
/// ```swift
/// let reader = try FrameReader(input: input, stream: video)
/// while let frame = try reader.nextFrame() { ... }   // frame is reused: copy what you keep
/// ```
///
/// Damaged packets are skipped and counted in ``damagedPackets`` (as the
/// ffmpeg command line does) rather than ending the decode; a file whose
/// every packet is damaged yields no frames and the caller decides.
public final class FrameReader {
    public let input: InputFile
    public let decoder: Decoder
    public let streamIndex: Int
    private let packet: Packet
    private let frame: Frame
    private var pendingPacket = false
    private var inputEnded = false
    private var finished = false
    /// Packets the decoder rejected as invalid data.
    public private(set) var damagedPackets = 0
    /// The first libav error met on a damaged packet, for reporting.
    public private(set) var firstDamage: AVError?
    /// Packets of the stream read so far.
    public private(set) var packetsRead = 0

    /// - Parameters:
    ///   - input: the open file; only `stream` is demuxed from now on.
    ///   - stream: the stream to decode.
    ///   - options: decoder options (threads, skipping, motion vectors).
    public init(input: InputFile, stream: MediaStream, options: DecoderOptions = DecoderOptions()) throws(AVError) {
        self.input = input
        self.streamIndex = stream.index
        self.decoder = try Decoder(stream: stream, options: options)
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
            switch try receiveTolerant() {
            case .frame: return frame
            case .endOfStream:
                finished = true
                return nil
            case .needsInput: break
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
                    let result: ReadResult
                    do { result = try input.read(into: packet) } catch where error.isInvalidData && packetsRead > 0 {
                        // A truncated or corrupt tail: treat as the end, remember the damage.
                        noteDamage(error)
                        result = .endOfFile
                    }
                    if result == .endOfFile {
                        try decoder.sendEndOfStream()
                        inputEnded = true
                        break
                    }
                    if packet.streamIndex == streamIndex { gotPacket = true } else { packet.unreference() }
                }
                if inputEnded { continue }
                packetsRead += 1
                pendingPacket = true
            }
            do {
                if try decoder.send(packet) == .accepted { pendingPacket = false }
            } catch where error.isInvalidData || error.code == AVError.invalidArgumentCode {
                noteDamage(error)
                pendingPacket = false
            }
        }
    }

    /// Receives, counting a decoder's complaint about damaged data as damage rather than a failure.
    private func receiveTolerant() throws(AVError) -> ReceiveResult {
        do { return try decoder.receive(into: frame) } catch where error.isInvalidData {
            noteDamage(error)
            return .needsInput
        }
    }

    private func noteDamage(_ error: AVError) {
        damagedPackets += 1
        if firstDamage == nil { firstDamage = error }
    }

    /// Moves to the keyframe at or before `timestamp` (stream time base) and
    /// resets the decoder, so the next frames decode from there.
    public func seek(toKeyframeBefore timestamp: Int64) throws(AVError) {
        try input.seek(stream: streamIndex, toKeyframeBefore: timestamp)
        decoder.flush()
        pendingPacket = false
        inputEnded = false
        finished = false
    }

    /// The presentation time of a decoded frame in the stream time base:
    /// `best_effort_timestamp`, falling back to `pts`.
    public func presentationTimestamp(of frame: Frame) -> Int64 {
        let best = frame.bestEffortTimestamp
        return best != Timestamp.none ? best : frame.pts
    }
}

@available(*, unavailable, message: "A FrameReader owns libav objects that must stay in one task.")
extension FrameReader: Sendable {}
