import LibAV

/// libav calls that treat damaged data as something to skip (as the ffmpeg
/// command line does) rather than the end of the operation: nil means "damaged, skipped".
enum Tolerant {
    static func receive(_ decoder: Decoder, into frame: Frame) throws(AVError) -> ReceiveResult? {
        do { return try decoder.receive(into: frame) } catch {
            if error.isInvalidData { return nil }
            throw error
        }
    }

    static func send(_ decoder: Decoder, _ packet: Packet) throws(AVError) -> SendResult? {
        do { return try decoder.send(packet) } catch {
            if error.isInvalidData || error.code == AVError.invalidArgumentCode { return nil }
            throw error
        }
    }

    /// A read that fails on damaged data ends the input, like the end of the file.
    static func read(_ input: InputFile, into packet: Packet) throws(AVError) -> ReadResult {
        do { return try input.read(into: packet) } catch {
            if error.isInvalidData { return .endOfFile }
            throw error
        }
    }
}
