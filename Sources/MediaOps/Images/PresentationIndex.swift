import LibAV

/// Answers "which frame is this?": the 0-based index, in presentation order,
/// of the frame with a given presentation timestamp, without decoding.
///
/// For MP4/MOV the demuxer's index lists every sample, so the frames before
/// a keyframe are counted from it and only the packets from that keyframe
/// to the target are read (a seek and a few dozen packet reads, whatever the
/// length of the file). Other containers index only keyframes or nothing;
/// for them a ``PacketSurvey`` counts.
final class PresentationIndex {
    private let input: InputFile
    private let streamIndex: Int
    private let packet: Packet
    /// For MP4/MOV: non-discarded samples before each sample, by file position.
    private var samplesBeforePosition: [Int64: Int]?
    private let usesContainerIndex: Bool
    private let stepBack: Int64

    /// - Parameters:
    ///   - input: the open file (shared with the decoder: callers seek again before decoding).
    ///   - streamIndex: the video stream.
    ///   - stepBack: how far to seek back when a seek lands after the target (about a second).
    init(input: InputFile, streamIndex: Int, stepBack: Int64) throws(AVError) {
        self.input = input
        self.streamIndex = streamIndex
        self.packet = try Packet()
        self.stepBack = max(1, stepBack)
        usesContainerIndex = input.formatName.hasPrefix("mov,") ? try input.indexEntryCount(stream: streamIndex) > 0 : false
    }

    /// The presentation-order index of the frame shown from `timestamp` on,
    /// or nil when the container's index cannot tell (then count with a ``PacketSurvey``).
    func frameIndex(ofPresentationTimestamp timestamp: Int64) throws(AVError) -> Int? {
        guard usesContainerIndex else { return nil }
        return try indexFromContainer(timestamp)
    }

    /// Seeks to the keyframe before `timestamp`; every sample decoded before
    /// that keyframe is shown before it, so they are counted from the index,
    /// and the packets from the keyframe on are read until their decode times
    /// pass the target (a packet is never shown before it is decoded).
    private func indexFromContainer(_ timestamp: Int64) throws(AVError) -> Int? {
        if samplesBeforePosition == nil {
            var table: [Int64: Int] = [:]
            var shown = 0
            for entry in try input.indexEntries(stream: streamIndex) {
                table[entry.position] = shown
                if !entry.isDiscard { shown += 1 }
            }
            samplesBeforePosition = table
        }
        var seekPoint = timestamp
        for attempt in 0..<8 {
            try input.seek(stream: streamIndex, toKeyframeBefore: seekPoint)
            guard try readStreamPacket() else { return nil }
            guard let before = samplesBeforePosition?[packet.position] else { return nil }
            let firstShown = packet.pts != Timestamp.none ? packet.pts : packet.dts
            if firstShown > timestamp && before > 0 && attempt < 7 {
                // The index holds decode times: the keyframe found may be shown after the target.
                seekPoint -= stepBack * Int64(attempt + 1)
                continue
            }
            var count = before
            repeat {
                let shown = packet.pts != Timestamp.none ? packet.pts : packet.dts
                if !packet.isDiscard && shown != Timestamp.none && shown < timestamp { count += 1 }
                if packet.dts != Timestamp.none && packet.dts >= timestamp { break }
            } while try readStreamPacket()
            return count
        }
        return nil
    }

    /// Reads the next packet of the stream into `packet`; false at the end.
    private func readStreamPacket() throws(AVError) -> Bool {
        while true {
            packet.unreference()
            let result: ReadResult
            do { result = try input.read(into: packet) } catch where error.isInvalidData {
                return false  // a damaged tail ends the count as it ends decoding
            }
            if result == .endOfFile { return false }
            if packet.streamIndex == streamIndex { return true }
        }
    }
}

@available(*, unavailable, message: "A PresentationIndex reads an InputFile that must stay in one task.")
extension PresentationIndex: Sendable {}
