/// The one policy for damaged data while demuxing and decoding, as the ffmpeg
/// command line has it: a packet the decoder rejects as damaged is skipped and
/// counted, and so is a picture it cannot finish; a read that fails on damaged
/// data after good packets is a truncated or corrupt tail, the end of the
/// input; a read that fails before any good packet is the error it is (there
/// is nothing to tolerate it for). ``FrameReader`` decodes with it, and so does
/// every loop that decodes several streams at once.
public struct DamageTolerance: Sendable {
    /// Packets (and pictures) skipped as damaged.
    public private(set) var damagedPackets = 0
    /// The first libav error met on damaged data, for reporting.
    public private(set) var firstDamage: AVError?
    /// Packets read so far.
    public private(set) var packetsRead = 0

    public init() {}

    /// Reads the next packet; a damaged tail after good packets reads as the end.
    public mutating func read(_ input: InputFile, into packet: Packet) throws(AVError) -> ReadResult {
        do {
            let result = try input.read(into: packet)
            if result == .packet { packetsRead += 1 }
            return result
        } catch where error.isInvalidData && packetsRead > 0 {
            note(error)
            return .endOfFile
        }
    }

    /// Sends a packet; nil when the decoder rejected it as damaged (skipped, counted).
    public mutating func send(_ decoder: Decoder, _ packet: Packet) throws(AVError) -> SendResult? {
        do { return try decoder.send(packet) } catch where error.isInvalidData || error.code == AVError.invalidArgumentCode {
            note(error)
            return nil
        }
    }

    /// Receives a frame; nil when the decoder could not finish one from damaged data (skipped, counted).
    public mutating func receive(_ decoder: Decoder, into frame: Frame) throws(AVError) -> ReceiveResult? {
        do { return try decoder.receive(into: frame) } catch where error.isInvalidData {
            note(error)
            return nil
        }
    }

    private mutating func note(_ error: AVError) {
        damagedPackets += 1
        if firstDamage == nil { firstDamage = error }
    }
}
