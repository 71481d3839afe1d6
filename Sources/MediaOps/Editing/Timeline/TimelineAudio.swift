import LibAV

/// The sound of a timeline, re-encoded as one AAC track: each item's sound for
/// the frames it is heard (through its own frames, and to the middle of each
/// transition it shares), cut or padded with silence to exactly those frames,
/// so that the sound stays in step with the picture at every join.
final class TimelineAudio {
    private let encoder: AudioTrackEncoder
    /// Items' files whose sound could not be decoded (a decoder that refuses damaged headers), with
    /// libav's reason: silence in its place, said once per file.
    private(set) var refusals: [(path: String, error: AVError)] = []

    /// Adds the track to `output` when any item has sound; nil when none has.
    init?(items: [TimelineItem], output: OutputFile) throws {
        guard let reference = items.lazy.compactMap({ $0.source.input.bestStream(.audio) }).first(where: { $0.parameters.codecID.hasDecoder }) else {
            return nil
        }
        let parameters = reference.parameters
        encoder = try AudioTrackEncoder(output: output, sampleRate: parameters.sampleRate,
                                        layout: parameters.channelLayout ?? ChannelLayout(defaultFor: 2))
    }

    /// Encodes every item's share in order; call after the picture is written. Damaged packets the
    /// items' sound decoders skipped are added to `damage`.
    func write(items: [TimelineItem], frameDuration: Rational, output: OutputFile, damage: inout DamageTally) throws {
        let rate = Rational(1, Int32(encoder.sampleRate))
        var heardFrames = 0
        for (index, item) in items.enumerated() {
            let next = index + 1 < items.count ? items[index + 1].overlapIn : 0
            let first = item.overlapIn / 2
            let end = item.frames - next + next / 2
            heardFrames += end - first
            let total = rescale(Int64(heardFrames), from: frameDuration, to: rate)
            if let stream = item.source.input.bestStream(.audio), stream.parameters.codecID.hasDecoder {
                try append(stream: stream, of: item, from: item.timestamp(slot: first), to: item.timestamp(slot: end), total: total,
                           output: output, damage: &damage)
            }
            if encoder.appendedSamples > total { try encoder.truncate(toTotal: total) }
            if encoder.appendedSamples < total { encoder.appendSilence(samples: total - encoder.appendedSamples) }
            try encoder.encodeAvailable(upTo: total, output: output)
        }
        try encoder.finish(totalSamples: rescale(Int64(heardFrames), from: frameDuration, to: rate), output: output)
    }

    /// Decodes the item's sound shown between the video timestamps `start` and `end` and queues it.
    private func append(stream: MediaStream, of item: TimelineItem, from start: Int64, to end: Int64, total: Int64, output: OutputFile,
                        damage: inout DamageTally) throws {
        let source = item.source
        // A file whose sound was refused for an earlier item is not opened again.
        guard !refusals.contains(where: { $0.path == source.path }) else { return }
        // Reading the item's file names it in an error; encoding and writing are the output's.
        let opened = try MediaError.attributing(to: source.path) { () throws(AVError) in
            try DamageTolerance.opening { () throws(AVError) in try FrameReader(input: source.input, stream: stream) }
        }
        let reader: FrameReader
        switch opened {
        case .success(let made): reader = made
        case .failure(let refusal):
            refusals.append((source.path, refusal))
            return
        }
        defer {
            damage.add(reader.damagedPackets, in: source.path)
            source.input.selectStreams(Set(0..<source.input.streams.count))
        }
        try MediaError.attributing(to: source.path) { try reader.seek(toKeyframeBefore: rescale(start, from: source.timeBase, to: stream.timeBase)) }
        while let frame = try MediaError.attributing(to: source.path, { try reader.nextFrame() }) {
            guard frame.sampleRate > 0 else { continue }
            let own = Rational(1, Int32(frame.sampleRate))
            let startSample = rescale(start, from: source.timeBase, to: own)
            let endSample = rescale(end, from: source.timeBase, to: own)
            let pts = reader.presentationTimestamp(of: frame)
            guard pts != Timestamp.none else { continue }
            let position = rescale(pts, from: stream.timeBase, to: own)
            if position >= endSample { break }
            if position + Int64(frame.sampleCount) <= startSample { continue }
            // Resampling reads what the item says of its sound (rate, layout): a refusal names it too.
            try MediaError.attributing(to: source.path) { try encoder.append(frame, skipping: Int(max(0, startSample - position))) }
            try encoder.encodeAvailable(upTo: total, output: output)
        }
    }
}

@available(*, unavailable, message: "A TimelineAudio owns an encoder that must stay in one task.")
extension TimelineAudio: Sendable {}
