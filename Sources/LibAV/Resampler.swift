import CFFmpeg

/// An owned swresample context (`swr_alloc_set_opts2` / `swr_free`) that
/// converts audio between sample rates, formats and channel layouts.
public final class Resampler {
    private var context: OpaquePointer?
    public let outputRate: Int
    public let outputFormat: SampleFormat
    public let outputLayout: ChannelLayout

    public init(inputRate: Int, inputFormat: SampleFormat, inputLayout: ChannelLayout,
                outputRate: Int, outputFormat: SampleFormat, outputLayout: ChannelLayout) throws(AVError) {
        var inLayout = inputLayout.makeAVLayout()
        var outLayout = outputLayout.makeAVLayout()
        defer {
            av_channel_layout_uninit(&inLayout)
            av_channel_layout_uninit(&outLayout)
        }
        var swr: OpaquePointer? = nil
        try check(swr_alloc_set_opts2(&swr, &outLayout, outputFormat.avValue, Int32(outputRate),
                                      &inLayout, inputFormat.avValue, Int32(inputRate), 0, nil), "swr_alloc_set_opts2")
        let code = swr_init(swr)
        if code < 0 {
            swr_free(&swr)
            throw AVError(code: code, operation: "swr_init")
        }
        context = swr
        self.outputRate = outputRate
        self.outputFormat = outputFormat
        self.outputLayout = outputLayout
    }

    deinit { swr_free(&context) }

    /// Converts `input` (or flushes the delay line when nil) into `output`,
    /// which gets fresh buffers of the output format (`swr_convert_frame`).
    /// `output.sampleCount` is 0 when nothing came out.
    public func convert(_ input: Frame?, into output: Frame) throws(AVError) {
        output.unreference()
        output.pointer.pointee.sample_rate = Int32(outputRate)
        output.pointer.pointee.format = outputFormat.rawValue
        var layout = outputLayout.makeAVLayout()
        defer { av_channel_layout_uninit(&layout) }
        try check(av_channel_layout_copy(&output.pointer.pointee.ch_layout, &layout), "av_channel_layout_copy")
        // swr_convert_frame allocates the output when nb_samples is 0; size it for the input plus the delay.
        let incoming = input?.sampleCount ?? 0
        let delay = Int(swr_get_delay(context, Int64(outputRate)))
        let inputRate = input?.sampleRate ?? outputRate
        output.pointer.pointee.nb_samples = Int32(delay + Int((Int64(incoming) * Int64(outputRate) + Int64(inputRate) - 1) / Int64(max(1, inputRate))) + 32)
        try check(av_frame_get_buffer(output.pointer, 0), "av_frame_get_buffer")
        let converted = swr_convert(context,
                                    pixsim_frame_audio_planes(output.pointer), output.pointer.pointee.nb_samples,
                                    input.map { UnsafeMutablePointer(mutating: pixsim_frame_const_audio_planes($0.pointer)) } ?? nil,
                                    Int32(incoming))
        try check(converted, "swr_convert")
        output.pointer.pointee.nb_samples = converted
    }
}

@available(*, unavailable, message: "A Resampler owns a libav context that must stay in one task.")
extension Resampler: Sendable {}

/// An owned audio FIFO (`av_audio_fifo_alloc` / `av_audio_fifo_free`): collects
/// samples so an encoder gets frames of exactly the size it requires.
public final class AudioFIFO {
    private let fifo: OpaquePointer
    public let format: SampleFormat
    public let layout: ChannelLayout
    public let sampleRate: Int

    public init(format: SampleFormat, layout: ChannelLayout, sampleRate: Int) throws(AVError) {
        fifo = try allocated(av_audio_fifo_alloc(format.avValue, Int32(layout.channelCount), 1024), "av_audio_fifo_alloc")
        self.format = format
        self.layout = layout
        self.sampleRate = sampleRate
    }

    deinit { av_audio_fifo_free(fifo) }

    /// Samples per channel waiting.
    public var count: Int { Int(av_audio_fifo_size(fifo)) }

    /// Appends the samples of `frame` (which must be in the FIFO's format).
    public func write(_ frame: Frame) throws(AVError) {
        guard frame.sampleCount > 0 else { return }
        let data = UnsafeMutablePointer<UnsafeMutableRawPointer?>(OpaquePointer(pixsim_frame_audio_planes(frame.pointer)))
        try check(av_audio_fifo_write(fifo, data, Int32(frame.sampleCount)), "av_audio_fifo_write")
    }

    /// Appends `samples` samples of silence, through a frame of at most a second or so at a time (libav
    /// counts a frame's samples in 32 bits).
    public func writeSilence(samples: Int) throws(AVError) {
        guard samples > 0 else { return }
        let block = min(samples, 1 << 16)
        let silence = try Frame(samples: block, format: format, layout: layout, sampleRate: sampleRate)
        av_samples_set_silence(pixsim_frame_audio_planes(silence.pointer), 0, Int32(block), Int32(layout.channelCount), format.avValue)
        var left = samples
        while left > 0 {
            silence.sampleCount = min(left, block)
            try write(silence)
            left -= silence.sampleCount
        }
    }

    /// Removes up to `samples` samples into a new frame.
    public func read(samples: Int) throws(AVError) -> Frame {
        let available = min(samples, count)
        let frame = try Frame(samples: available, format: format, layout: layout, sampleRate: sampleRate)
        let data = UnsafeMutablePointer<UnsafeMutableRawPointer?>(OpaquePointer(pixsim_frame_audio_planes(frame.pointer)))
        let got = try check(av_audio_fifo_read(fifo, data, Int32(available)), "av_audio_fifo_read")
        frame.sampleCount = Int(got)
        return frame
    }

    /// Drops up to `samples` samples from the front.
    public func discard(samples: Int) throws(AVError) {
        try check(av_audio_fifo_drain(fifo, Int32(min(samples, count))), "av_audio_fifo_drain")
    }
}

@available(*, unavailable, message: "An AudioFIFO owns a libav object that must stay in one task.")
extension AudioFIFO: Sendable {}
