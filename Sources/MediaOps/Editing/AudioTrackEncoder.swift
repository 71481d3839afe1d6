import LibAV

/// The sound a re-encoded output is written in.
enum AudioCodec: Sendable {
    /// MP4, MOV, Matroska.
    case aac
    /// WebM, which holds no AAC (libopus).
    case opus
}

/// Encodes audio to AAC (or Opus) for one output stream from decoded frames of any
/// format, rate and layout, counting samples so that the track can be cut or
/// padded to an exact length (sample-accurate trims, silence for inputs without sound).
final class AudioTrackEncoder {
    let encoder: Encoder
    /// What waits for the pictures to catch up, silence counted rather than stored.
    let queue: SampleQueue
    let outputIndex: Int
    let sampleRate: Int
    let layout: ChannelLayout
    private var resampler: Resampler?
    private var resamplerInput: (rate: Int, format: SampleFormat, layout: ChannelLayout)?
    private let resampled: Frame
    private let packet: Packet
    /// Samples handed to the encoder so far: the next frame's pts.
    private(set) var encodedSamples: Int64 = 0
    /// Samples appended so far (encoded plus waiting).
    var appendedSamples: Int64 { encodedSamples + queue.count }

    /// AAC's sampling frequencies (ISO/IEC 14496-3 table 1.18).
    static let aacRates: Set<Int> = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    /// Opus's sampling frequencies (RFC 6716 section 2).
    static let opusRates: Set<Int> = [48000, 24000, 16000, 12000, 8000]

    init(output: OutputFile, sampleRate: Int, layout: ChannelLayout, bitRate: Int64? = nil, codec: AudioCodec = .aac) throws(AVError) {
        let rates = codec == .aac ? AudioTrackEncoder.aacRates : AudioTrackEncoder.opusRates
        let rate = rates.contains(sampleRate) ? sampleRate : 48000
        // AAC takes the standard layouts: name the channels by count, whatever order the source declared.
        // libopus takes more than two only with a channel mapping: sound for the web is mixed to two.
        let channels = codec == .aac ? min(max(layout.channelCount, 1), 8) : min(max(layout.channelCount, 1), 2)
        let encoderLayout = ChannelLayout(defaultFor: channels == 7 ? 8 : channels)
        var settings = AudioEncoderSettings(codecName: codec == .aac ? "aac" : "libopus", sampleRate: rate, channelLayout: encoderLayout)
        settings.bitRate = bitRate ?? Int64(min(channels, 2)) * 96_000
        settings.globalHeader = output.needsGlobalHeader
        encoder = try Encoder(audio: settings)
        queue = try SampleQueue(format: encoder.sampleFormat, layout: encoderLayout, sampleRate: rate)
        outputIndex = try output.addStream(encoder: encoder)
        self.sampleRate = rate
        self.layout = encoderLayout
        resampled = try Frame()
        packet = try Packet()
    }

    /// Converts `frame` and queues its samples, dropping the first `skipping`
    /// samples (counted at the frame's own rate).
    func append(_ frame: Frame, skipping: Int = 0) throws(AVError) {
        guard frame.sampleCount > skipping else { return }
        let input = (frame.sampleRate, frame.sampleFormat, frame.channelLayout)
        if resampler == nil || resamplerInput.map({ $0.rate != input.0 || $0.format != input.1 || $0.layout != input.2 }) ?? true {
            resampler = try Resampler(inputRate: input.0, inputFormat: input.1, inputLayout: input.2,
                                      outputRate: sampleRate, outputFormat: encoder.sampleFormat, outputLayout: layout)
            resamplerInput = input
        }
        try resampler!.convert(frame, into: resampled)
        guard skipping > 0 else { try queue.write(resampled); return }
        // Drop the head through a scratch queue: the main one may hold earlier samples.
        let skipOut = Int((Int64(skipping) * Int64(sampleRate) + Int64(frame.sampleRate) / 2) / Int64(max(1, frame.sampleRate)))
        let scratch = try AudioFIFO(format: encoder.sampleFormat, layout: layout, sampleRate: sampleRate)
        try scratch.write(resampled)
        try scratch.discard(samples: skipOut)
        if scratch.count > 0 { try queue.write(try scratch.read(samples: scratch.count)) }
    }

    /// Queues `samples` samples of silence.
    func appendSilence(samples: Int64) {
        queue.writeSilence(samples: samples)
    }

    /// Drops queued samples beyond `total` (counting those already encoded), so a
    /// track segment ends exactly where its picture does.
    func truncate(toTotal total: Int64) throws(AVError) {
        try queue.keepFirst(total - encodedSamples)
    }

    /// Samples in each frame the encoder takes: its own size (AAC 1024, Opus 960), 1024 for one that takes any.
    private var frameSize: Int { encoder.frameSize > 0 ? encoder.frameSize : 1024 }

    /// Encodes whole frames while the total stays within `limit` samples.
    func encodeAvailable(upTo limit: Int64, output: OutputFile) throws {
        let size = frameSize
        while queue.count >= Int64(size) && encodedSamples + Int64(size) <= limit {
            try encodeFrame(samples: size, output: output)
        }
    }

    /// Pads with silence or cuts to exactly `total` samples, encodes the rest and drains the encoder.
    func finish(totalSamples total: Int64, output: OutputFile) throws {
        if appendedSamples < total { appendSilence(samples: total - appendedSamples) }
        let size = frameSize
        while encodedSamples < total && queue.count > 0 {
            try encodeFrame(samples: Int(min(Int64(size), total - encodedSamples)), output: output)
        }
        try encoder.encode(nil, packet: packet) { try output.write($0, from: self.encoder.timeBase, toStream: self.outputIndex) }
    }

    private func encodeFrame(samples: Int, output: OutputFile) throws {
        let frame = try queue.read(samples: samples)
        frame.pts = encodedSamples
        encodedSamples += Int64(frame.sampleCount)
        try encoder.encode(frame, packet: packet) { try output.write($0, from: self.encoder.timeBase, toStream: self.outputIndex) }
    }

    /// The warning of a join (`concat --mode reencode`, a timeline) whose input at `path` has a sound
    /// track its decoder refused (``DamageTolerance/opening(_:)``): silence is appended in its place.
    static func silenceWarning(path: String, refusal: AVError) -> String {
        "\(path): its sound cannot be decoded (\(refusal.detail)); silence in its place"
    }
}

@available(*, unavailable, message: "An AudioTrackEncoder owns libav objects that must stay in one task.")
extension AudioTrackEncoder: Sendable {}
