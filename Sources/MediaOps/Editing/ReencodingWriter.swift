import LibAV

/// The decode → trim → encode loop of an exact clip, for the video and every
/// audio track at once, in one pass over the file.
final class ReencodingWriter {
    let source: ClipSource
    let output: OutputFile
    let videoDecoder: Decoder
    let videoEncoder: VideoTrackEncoder
    var audio: [Int: AudioLane] = [:]
    let companions: CompanionStreams
    var warnings: [String]

    /// One re-encoded audio track: its decoder, its encoder and where it stands.
    final class AudioLane {
        let decoder: Decoder
        let encoder: AudioTrackEncoder
        let timeBase: Rational
        /// Frames decoded before the first video frame fixed the start.
        var waiting: [Frame] = []
        var passedEnd = false
        init(decoder: Decoder, encoder: AudioTrackEncoder, timeBase: Rational) {
            self.decoder = decoder
            self.encoder = encoder
            self.timeBase = timeBase
        }
    }

    /// What is done to each decoded picture before it is encoded (renditions: resize, crop, pad); nil encodes it as decoded.
    let transform: (any PictureTransform)?

    /// The video's pictures, decoded already by a pass before this one (a reframe's analysis): taken
    /// from here, one per video packet read (so the output stays interleaved with the audio), instead
    /// of being decoded again. Nil, or overflowed, decodes as usual.
    var retained: RetainedFrames?

    init(source: ClipSource, output: OutputFile, quality: EncodingQuality, sound: AudioCodec = .aac,
         transform: (any PictureTransform)? = nil) throws {
        self.source = source
        self.output = output
        self.transform = transform
        let parameters = source.video.parameters
        var options = DecoderOptions()
        options.threadCount = 0
        videoDecoder = try Decoder(stream: source.video, options: options)
        let sar = source.video.sampleAspectRatio.isValid ? source.video.sampleAspectRatio : parameters.sampleAspectRatio
        var picture = VideoTrackEncoder.Picture(
            width: parameters.width, height: parameters.height, pixelFormat: parameters.pixelFormat,
            sampleAspectRatio: sar, timeBase: source.timeBase, frameRate: source.encodingFrameRate,
            colorimetry: parameters.colorimetry)
        if let transform {
            picture.width = transform.outputWidth
            picture.height = transform.outputHeight
            picture.pixelFormat = transform.outputPixelFormat
            picture.sampleAspectRatio = transform.outputSampleAspectRatio
        }
        videoEncoder = try VideoTrackEncoder(picture: picture, quality: quality, output: output, globalHeader: output.needsGlobalHeader)
        if let matrix = source.video.displayMatrix { try output.setDisplayMatrix(stream: videoEncoder.outputIndex, matrix) }
        try output.setTimeBase(stream: videoEncoder.outputIndex, source.timeBase)
        var lanes: [Int: AudioLane] = [:]
        companions = try CompanionStreams.add(from: source, to: output) { stream in
            let decoder: Decoder
            switch try DamageTolerance.opening({ () throws(AVError) in try Decoder(stream: stream) }) {
            case .success(let opened): decoder = opened
            case .failure(let damage): return "its decoder refuses its damaged headers (\(damage.detail))"
            }
            let layout = stream.parameters.channelLayout ?? ChannelLayout(defaultFor: 2)
            let encoder = try AudioTrackEncoder(output: output, sampleRate: stream.parameters.sampleRate, layout: layout, codec: sound)
            lanes[stream.index] = AudioLane(decoder: decoder, encoder: encoder, timeBase: stream.timeBase)
            return nil
        }
        audio = lanes
        warnings = companions.warnings
        let encoded = VideoTrackEncoder.encodablePixelFormat(parameters.pixelFormat, width: parameters.width, height: parameters.height,
                                                             encoder: quality.encoderName)
        if transform == nil && encoded != parameters.pixelFormat {
            warnings.append("pixel format \(parameters.pixelFormat) is not one \(quality.encoderName) takes at \(parameters.width)x\(parameters.height); encoded as \(encoded)")
        }
    }

    struct WrittenRange { var start: Int64; var end: Int64; var frames: Int }

    /// Reads from the current position, encodes the frames in `[start, end)`.
    func run(start: Int64, end: Int64, progress: EditingProgress?) throws -> WrittenRange {
        let input = source.input
        let packet = try Packet()
        let frame = try Frame()
        var first: Int64? = nil
        var lastEnd: Int64? = nil
        var lastPTS: Int64? = nil
        var outOfOrder = 0
        var next: Int64? = nil
        var frames = 0
        /// Pictures of the range decoded so far, encoded or dropped: a transform's index (a reframe's
        /// crop windows count every picture its analysis decoded).
        var pictures = 0
        var videoDone = false

        /// Encodes one decoded picture of the range (passing over those before it); false once past its end.
        func encodeVideo(_ frame: Frame) throws -> Bool {
            let pts = frame.bestEffortTimestamp != Timestamp.none ? frame.bestEffortTimestamp : frame.pts
            guard pts != Timestamp.none, pts >= start else { return true }
            if pts >= end {
                videoDone = true
                next = pts
                return false
            }
            if first == nil {
                first = pts
                try releaseWaitingAudio(firstVideo: pts, end: end)
            }
            pictures += 1
            // Damaged streams give pictures a timestamp at or before the previous one's (a lost
            // reference, a repeated block): the muxer refuses those, so they are left out.
            if let lastPTS, pts <= lastPTS {
                outOfOrder += 1
                return true
            }
            lastPTS = pts
            let duration = frame.duration > 0 ? frame.duration : Timestamp(seconds: source.frameSeconds, timeBase: source.timeBase).value
            lastEnd = pts + duration
            let picture = try transform?.apply(frame, index: pictures - 1) ?? frame
            try videoEncoder.encode(picture, pts: pts - first!, output: output)
            frames += 1
            if let progress, frames % 12 == 0 { progress(Double(pts - start) / Double(max(1, end - start))) }
            return true
        }

        func takeVideoFrames() throws {
            while !videoDone {
                guard let state = try damage.receive(videoDecoder, into: frame) else { continue }
                guard state == .frame else { return }
                defer { frame.unreference() }
                guard try encodeVideo(frame) else { return }
            }
        }

        let kept = retained.flatMap { $0.overflowed ? nil : $0 }
        /// Encodes up to `count` of the kept pictures (all of them when nil).
        func takeKeptFrames(_ count: Int?) throws {
            guard let kept else { return }
            var taken = 0
            while !videoDone, count.map({ taken < $0 }) ?? true, let picture = kept.next() {
                taken += 1
                guard try encodeVideo(picture) else { return }
            }
        }

        while !(videoDone && audio.values.allSatisfy(\.passedEnd)) {
            guard try damage.read(input, into: packet) == .packet else { break }
            defer { packet.unreference() }
            if packet.streamIndex == source.videoIndex {
                guard !videoDone else { continue }
                if kept != nil {
                    try takeKeptFrames(1)
                    continue
                }
                while true {
                    guard let sent = try damage.send(videoDecoder, packet) else { break }
                    try takeVideoFrames()
                    if sent == .accepted { break }
                }
            } else if let lane = audio[packet.streamIndex], !lane.passedEnd {
                guard try damage.send(lane.decoder, packet) != nil else { continue }
                try takeAudioFrames(lane, firstVideo: first, end: end)
            } else if companions.copied[packet.streamIndex] != nil {
                // Subtitles and data are placed relative to the first frame shown, which the decoder may not have produced yet.
                held.append(try packet.clone())
                if first != nil { try releaseHeld(first: first!, end: end) }
            }
        }
        if !videoDone {
            if kept != nil {
                try takeKeptFrames(nil)
            } else {
                try damage.sendEndOfStream(videoDecoder)
                try takeVideoFrames()
            }
        }
        for lane in audio.values where !lane.passedEnd {
            try damage.sendEndOfStream(lane.decoder)
            try takeAudioFrames(lane, firstVideo: first, end: end)
        }
        if let skipped = DamagedDataWarning.packetsSkipped(damage.damagedPackets) { warnings.append(skipped) }
        if outOfOrder > 0 {
            let leftOut = outOfOrder == 1 ? "1 damaged picture" : "\(outOfOrder) damaged pictures"
            warnings.append("\(leftOut) left out: timed at or before the picture before \(outOfOrder == 1 ? "it" : "each")")
        }
        guard let first else { return WrittenRange(start: start, end: start, frames: 0) }
        try releaseHeld(first: first, end: end)
        let presentedEnd = source.presentedEnd(next: next, lastEnd: lastEnd, requestedEnd: end)
        try videoEncoder.finish(output: output)
        for lane in audio.values {
            if !lane.waiting.isEmpty { try releaseWaitingAudio(firstVideo: first, end: end) }
            let total = rescale(presentedEnd - first, from: source.timeBase, to: Rational(1, Int32(lane.encoder.sampleRate)))
            try lane.encoder.finish(totalSamples: total, output: output)
        }
        return WrittenRange(start: first, end: presentedEnd, frames: frames)
    }

    /// Damaged data skipped on the way (``DamageTolerance``, the policy of ``FrameReader``).
    private var damage = DamageTolerance()

    /// Companion packets waiting for the first video frame's time.
    private var held: [Packet] = []

    private func releaseHeld(first: Int64, end: Int64) throws {
        var filter = CompanionPacketFilter(source: source, rangeStart: first, rangeEnd: end, offset: first)
        for packet in held {
            guard let outIndex = companions.copied[packet.streamIndex] else { continue }
            if filter.admit(packet) { try output.write(packet, from: source.input.streams[packet.streamIndex].timeBase, toStream: outIndex) }
        }
        held = []
    }

    private func takeAudioFrames(_ lane: AudioLane, firstVideo: Int64?, end: Int64) throws {
        let frame = try Frame()
        while true {
            guard let state = try damage.receive(lane.decoder, into: frame) else { continue }
            guard state == .frame else { return }
            if let firstVideo {
                try consume(frame, lane: lane, firstVideo: firstVideo, end: end)
                frame.unreference()
            } else {
                lane.waiting.append(try frame.clone())
                frame.unreference()
            }
        }
    }

    private func releaseWaitingAudio(firstVideo: Int64, end: Int64) throws {
        for lane in audio.values {
            let waiting = lane.waiting
            lane.waiting = []
            for frame in waiting { try consume(frame, lane: lane, firstVideo: firstVideo, end: end) }
        }
    }

    /// Places one decoded audio frame on the clip's sample timeline: samples
    /// before the first video frame are dropped, gaps become silence.
    private func consume(_ frame: Frame, lane: AudioLane, firstVideo: Int64, end: Int64) throws {
        guard !lane.passedEnd, frame.sampleRate > 0 else { return }
        let rate = Rational(1, Int32(frame.sampleRate))
        let best = frame.bestEffortTimestamp != Timestamp.none ? frame.bestEffortTimestamp : frame.pts
        let startSample = rescale(firstVideo, from: source.timeBase, to: rate)
        let endSample = rescale(end, from: source.timeBase, to: rate)
        let position = best != Timestamp.none ? rescale(best, from: lane.timeBase, to: rate) : startSample + lane.encoder.appendedSamples
        if position >= endSample { lane.passedEnd = true; return }
        if position + Int64(frame.sampleCount) <= startSample { return }
        let expected = startSample + lane.encoder.appendedSamples * Int64(frame.sampleRate) / Int64(lane.encoder.sampleRate)
        if lane.encoder.appendedSamples > 0 && position > expected + 1 {
            lane.encoder.appendSilence(samples: (position - expected) * Int64(lane.encoder.sampleRate) / Int64(frame.sampleRate))
        }
        let skip = Int(max(0, startSample - position))
        try lane.encoder.append(frame, skipping: skip)
        let limit = rescale(end - firstVideo, from: source.timeBase, to: Rational(1, Int32(lane.encoder.sampleRate)))
            - Int64(lane.encoder.sampleRate / 10)
        try lane.encoder.encodeAvailable(upTo: limit, output: output)
    }
}

@available(*, unavailable, message: "A ReencodingWriter owns libav objects that must stay in one task.")
extension ReencodingWriter: Sendable {}
