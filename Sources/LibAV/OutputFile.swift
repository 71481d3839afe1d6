import CFFmpeg

/// A media file being written: an owned muxer context
/// (`avformat_alloc_output_context2`; closed with `avio_closep` and freed with
/// `avformat_free_context`, unlike an input context).
///
/// Write to a temporary path and rename it when done: ``OutputFile`` writes
/// exactly where it is told.
public final class OutputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    public let path: String
    private var headerWritten = false
    private var ioOpened = false

    /// Prepares a muxer for `path`.
    /// - Parameters:
    ///   - format: muxer name ("mp4", "matroska", ...); nil guesses from the extension.
    public init(path: String, format: String? = nil) throws(AVError) {
        LibAVLog.useDefaultsUnlessInstalled()
        self.path = path
        var contextPointer: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&contextPointer, nil, format, path), "avformat_alloc_output_context2(\(path))")
        context = try allocated(contextPointer, "avformat_alloc_output_context2")
    }

    deinit {
        if ioOpened { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// The muxer's short name, e.g. "mp4".
    public var formatName: String { String(cString: context.pointee.oformat.pointee.name) }
    /// Whether the format wants codec parameter sets in extradata (`AVFMT_GLOBALHEADER`).
    public var needsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }
    /// Whether the muxer refuses a stream's packet whose decoding time equals the one before (MP4 does;
    /// Matroska, `AVFMT_TS_NONSTRICT`, takes it). None takes one that goes back.
    public var refusesRepeatedTimestamps: Bool { context.pointee.oformat.pointee.flags & AVFMT_TS_NONSTRICT == 0 }
    private func newStream() throws(AVError) -> UnsafeMutablePointer<AVStream> {
        try allocated(avformat_new_stream(context, nil), "avformat_new_stream")
    }

    /// Adds a stream that will receive copied packets of `source` (stream copy).
    /// Codec parameters, time base, aspect ratio, language and display matrix are carried over.
    /// - Returns: the new stream's index.
    @discardableResult
    public func addStream(copying source: MediaStream) throws(AVError) -> Int {
        let stream = try newStream()
        let sourcePointer = source.pointer
        try check(avcodec_parameters_copy(stream.pointee.codecpar, sourcePointer.pointee.codecpar), "avcodec_parameters_copy")
        // A tag valid in the source container may be invalid in this one; let the muxer choose
        // unless it accepts the same tag.
        let tag = stream.pointee.codecpar.pointee.codec_tag
        var existingTag: UInt32 = 0
        if tag != 0, av_codec_get_tag2(context.pointee.oformat.pointee.codec_tag, stream.pointee.codecpar.pointee.codec_id, &existingTag) == 0
            || existingTag != tag {
            stream.pointee.codecpar.pointee.codec_tag = 0
        }
        stream.pointee.time_base = sourcePointer.pointee.time_base
        stream.pointee.sample_aspect_ratio = sourcePointer.pointee.sample_aspect_ratio
        stream.pointee.avg_frame_rate = sourcePointer.pointee.avg_frame_rate
        stream.pointee.r_frame_rate = sourcePointer.pointee.r_frame_rate
        stream.pointee.disposition = sourcePointer.pointee.disposition
        if let language = source.metadata["language"] { av_dict_set(&stream.pointee.metadata, "language", language, 0) }
        if let matrix = source.displayMatrix { try setDisplayMatrix(stream: Int(stream.pointee.index), matrix) }
        return Int(stream.pointee.index)
    }

    /// Adds a stream for an encoder's packets.
    @discardableResult
    public func addStream(encoder: Encoder) throws(AVError) -> Int {
        let stream = try newStream()
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "avcodec_parameters_from_context")
        stream.pointee.time_base = encoder.context.pointee.time_base
        stream.pointee.sample_aspect_ratio = encoder.context.pointee.sample_aspect_ratio
        if encoder.context.pointee.framerate.num > 0 { stream.pointee.avg_frame_rate = encoder.context.pointee.framerate }
        return Int(stream.pointee.index)
    }

    /// The `AVStream` at `index`, checked: a stream number from elsewhere (a
    /// caller's bookkeeping) is never trusted to be in range.
    func streamPointer(_ index: Int) throws(AVError) -> UnsafeMutablePointer<AVStream> {
        let count = Int(context.pointee.nb_streams)
        guard index >= 0, index < count, let stream = context.pointee.streams[index] else {
            throw AVError(code: AVError.invalidArgumentCode, operation: "stream",
                          message: "no output stream \(index) (the output has \(count))")
        }
        return stream
    }

    /// Attaches a display matrix (nine values, as read from a source stream) to a stream.
    public func setDisplayMatrix(stream index: Int, _ matrix: [Int32]) throws(AVError) {
        guard matrix.count == 9 else { return }
        let stream = try streamPointer(index)
        let data = try allocated(av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, 36), "av_stream_new_side_data")
        data.withMemoryRebound(to: Int32.self, capacity: 9) { target in
            for i in 0..<9 { target[i] = matrix[i] }
        }
    }

    /// Sets a stream's display matrix to a clockwise rotation of 0, 90, 180 or 270 degrees.
    public func setRotation(stream index: Int, clockwiseDegrees: Int) throws(AVError) {
        guard clockwiseDegrees % 360 != 0 else { return }
        var matrix = [Int32](repeating: 0, count: 9)
        // av_display_rotation_set builds a clockwise rotation, the inverse of what
        // av_display_rotation_get reads back (a counter-clockwise angle).
        av_display_rotation_set(&matrix, Double(clockwiseDegrees))
        try setDisplayMatrix(stream: index, matrix)
    }

    /// Sets a container-level metadata tag.
    public func setMetadata(_ key: String, _ value: String) { av_dict_set(&context.pointee.metadata, key, value, 0) }

    /// The time base the muxer chose for a stream (valid after ``writeHeader(options:)``).
    public func timeBase(stream index: Int) throws(AVError) -> Rational { Rational(try streamPointer(index).pointee.time_base) }

    /// Sets the time base to ask the muxer for (before ``writeHeader(options:)``).
    public func setTimeBase(stream index: Int, _ timeBase: Rational) throws(AVError) {
        try streamPointer(index).pointee.time_base = timeBase.avRational
    }

    /// Opens the file and writes the header (`avio_open`, `avformat_write_header`).
    /// - Parameter options: muxer options, e.g. `["movflags": "+faststart"]`.
    public func writeHeader(options: [String: String] = [:]) throws(AVError) {
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            try check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "avio_open(\(path))")
            ioOpened = true
        }
        var dictionary = OptionDictionary(options)
        defer { dictionary.free() }
        try check(avformat_write_header(context, &dictionary.pointer), "avformat_write_header")
        headerWritten = true
    }

    /// Writes a packet whose timestamps are already in the output stream's time
    /// base, interleaving streams by time (`av_interleaved_write_frame`). The
    /// packet is left empty.
    public func write(_ packet: Packet) throws(AVError) {
        try check(av_interleaved_write_frame(context, packet.pointer), "av_interleaved_write_frame")
    }

    /// Rescales a packet from `timeBase` to the output stream's time base and writes it.
    public func write(_ packet: Packet, from timeBase: Rational, toStream index: Int) throws(AVError) {
        packet.streamIndex = index
        packet.rescaleTimestamps(from: timeBase, to: try self.timeBase(stream: index))
        packet.pointer.pointee.pos = -1
        try write(packet)
    }

    /// Flushes interleaving buffers and writes the trailer (`av_write_trailer`), then closes the file.
    public func finish() throws(AVError) {
        guard headerWritten else { return }
        try check(av_write_trailer(context), "av_write_trailer")
        if ioOpened {
            avio_closep(&context.pointee.pb)
            ioOpened = false
        }
    }
}

@available(*, unavailable, message: "An OutputFile owns a libav context that must stay in one task.")
extension OutputFile: Sendable {}
