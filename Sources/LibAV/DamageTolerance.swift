/// The one policy for damaged data while demuxing and decoding, as the ffmpeg
/// command line has it: a packet the decoder rejects as damaged is skipped and
/// counted, and so is a picture it cannot finish; a read that fails on damaged
/// data after good packets is a truncated or corrupt tail, the end of the
/// input (``isDamagedTail(_:)``); a read that fails before any good packet is the error it is (there
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
        } catch where Self.isDamagedTail(error) && packetsRead > 0 {
            note(error)
            return .endOfFile
        }
    }

    /// What a demuxer says of data it cannot make a packet of: invalid data, or no memory, which is what
    /// `av_read_frame` gives for a damaged size field (a block repeated in an IVF file left a frame header
    /// claiming 380 MB, and libavformat's packet could not grow by that); the ffmpeg command line, too,
    /// ends the input there and keeps what it read.
    static func isDamagedTail(_ error: AVError) -> Bool {
        error.isInvalidData || error.code == AVError.outOfMemoryCode
    }

    /// Sends a packet; nil when the decoder rejected it as damaged (skipped, counted).
    public mutating func send(_ decoder: some FrameDecoding, _ packet: Packet) throws(AVError) -> SendResult? {
        do { return try decoder.send(packet) } catch where Self.isDamage(error) {
            note(error)
            return nil
        }
    }

    /// Tells the decoder the input has ended, so that it gives up the pictures it holds. Sending the
    /// end also decodes what the decoder still had queued (libavcodec's `avcodec_send_packet` runs
    /// the decoder on its buffered packet), so a damaged last packet fails here: that is damage too
    /// (counted), and the decoder drains what it has either way.
    public mutating func sendEndOfStream(_ decoder: some FrameDecoding) throws(AVError) {
        do { try decoder.sendEndOfStream() } catch where Self.isDamage(error) {
            note(error)
        }
    }

    /// Receives a frame; nil when the decoder could not finish one from damaged data (skipped, counted).
    /// Each failure uses up what it failed on (libavcodec drops the packet, dav1d its frame), so a
    /// caller that receives again makes progress.
    public mutating func receive(_ decoder: some FrameDecoding, into frame: Frame) throws(AVError) -> ReceiveResult? {
        do { return try decoder.receive(into: frame) } catch where Self.isDamage(error) {
            note(error)
            return nil
        }
    }

    /// Opens what a caller can do without when a stream's headers are damaged (the decoder of a sound
    /// track, a reader of it): `.failure` with libav's error when opening fails on damage (see
    /// ``isDamagedSetup(_:)``; a Vorbis setup header that does not parse gives invalid data), so that the
    /// caller can go on without it and say why; any other failure (no memory) is thrown.
    public static func opening<Opened>(_ open: () throws(AVError) -> Opened) throws(AVError) -> Result<Opened, AVError> {
        do { return .success(try open()) } catch where isDamagedSetup(error) {
            return .failure(error)
        }
    }

    /// Which decoding failures are damage: every one but running out of memory, as the ffmpeg command
    /// line has it (it logs each decoding error and goes on). Decoders say more than invalid data of
    /// damaged packets: an invalid argument (a parameter the damaged packet changed), a feature they
    /// lack (damaged bits that claim one), and codes libav has no text for (a block repeated in an
    /// MP4 made its AAC decoder return -50531338 for one packet, and every command that decoded the
    /// sound failed on it). A stream that only ever fails decodes nothing, and the caller reports
    /// ``firstDamage``. No memory is the machine's state, not the file's.
    static func isDamage(_ error: AVError) -> Bool {
        error.code != AVError.outOfMemoryCode
    }

    /// Which failures to open a stream's decoder or reader are damaged headers (``opening(_:)``):
    /// invalid data, an invalid argument or a feature the decoder lacks. A decoder that is not there,
    /// or no memory, is not the file's damage, and fails the command.
    static func isDamagedSetup(_ error: AVError) -> Bool {
        error.isInvalidData || error.code == AVError.invalidArgumentCode || error.code == AVError.notImplementedCode
    }

    private mutating func note(_ error: AVError) {
        damagedPackets += 1
        if firstDamage == nil { firstDamage = error }
    }
}
