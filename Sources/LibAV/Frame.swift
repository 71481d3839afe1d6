import CFFmpeg

/// An owned `AVFrame` (`av_frame_alloc` / `av_frame_free`): one decoded
/// picture or block of audio samples. Decoders and scalers fill it; it is
/// reused from frame to frame, so copy out what must outlive the next call.
public final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    public init() throws(AVError) {
        pointer = try allocated(av_frame_alloc(), "av_frame_alloc")
    }

    /// A video frame with its own buffers (`av_frame_get_buffer`).
    public convenience init(width: Int, height: Int, pixelFormat: PixelFormat) throws(AVError) {
        try self.init()
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = pixelFormat.rawValue
        try check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    /// An audio frame with its own buffers for `samples` samples per channel.
    public convenience init(samples: Int, format: SampleFormat, layout: ChannelLayout, sampleRate: Int) throws(AVError) {
        try self.init()
        pointer.pointee.nb_samples = Int32(samples)
        pointer.pointee.format = format.rawValue
        pointer.pointee.sample_rate = Int32(sampleRate)
        var avLayout = layout.makeAVLayout()
        defer { av_channel_layout_uninit(&avLayout) }
        try check(av_channel_layout_copy(&pointer.pointee.ch_layout, &avLayout), "av_channel_layout_copy")
        try check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }

    // MARK: Picture

    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: pointer.pointee.format) }
    /// `AVFrame.sample_aspect_ratio`.
    public var sampleAspectRatio: Rational {
        get { Rational(pointer.pointee.sample_aspect_ratio) }
        set { pointer.pointee.sample_aspect_ratio = newValue.avRational }
    }
    /// `key_frame` (FFmpeg 5.1 has no `AV_FRAME_FLAG_KEY`).
    public var isKeyframe: Bool { pixsim_frame_is_key(pointer) != 0 }
    /// The picture type letter: I, P, B, ...
    public var pictureType: Character {
        let letter = av_get_picture_type_char(pointer.pointee.pict_type)
        return Character(Unicode.Scalar(UInt8(bitPattern: letter)))
    }
    /// Whether the decoder flagged the frame as corrupt (`AV_FRAME_FLAG_CORRUPT` or `decode_error_flags`).
    public var isCorrupt: Bool {
        pointer.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 || pointer.pointee.decode_error_flags != 0
    }

    // MARK: Time

    /// Presentation timestamp (or `Timestamp.none`).
    public var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }
    /// libav's best guess at the presentation time (`best_effort_timestamp`), the one to use for decoded frames.
    public var bestEffortTimestamp: Int64 { pointer.pointee.best_effort_timestamp }
    /// Duration of the packet the frame came from (`pkt_duration`), in the stream time base.
    public var duration: Int64 { pointer.pointee.pkt_duration }
    /// The time base of ``pts`` when the producer set it (`AVFrame.time_base`, often 0/1).
    public var timeBase: Rational {
        get { Rational(pointer.pointee.time_base) }
        set { pointer.pointee.time_base = newValue.avRational }
    }

    // MARK: Audio

    /// Samples per channel in this frame.
    public var sampleCount: Int {
        get { Int(pointer.pointee.nb_samples) }
        set { pointer.pointee.nb_samples = Int32(newValue) }
    }
    public var sampleRate: Int { Int(pointer.pointee.sample_rate) }
    public var sampleFormat: SampleFormat { SampleFormat(rawValue: pointer.pointee.format) }
    public var channelLayout: ChannelLayout { ChannelLayout(pointer.pointee.ch_layout) }

    // MARK: Data

    /// Bytes per row of a plane (may be padded beyond the visible width).
    public func lineSize(plane: Int) -> Int { Int(pixsim_frame_linesize(pointer, Int32(plane))) }

    /// Reads one plane without copying; the buffer (`lineSize * rows` bytes)
    /// is valid only inside `body`.
    public func withUnsafePlane<R>(_ plane: Int, rows: Int, _ body: (UnsafeRawBufferPointer, _ lineSize: Int) throws -> R) rethrows -> R {
        let lineSize = lineSize(plane: plane)
        guard let data = pixsim_frame_data(pointer, Int32(plane)), lineSize > 0 else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0), 0)
        }
        return try body(UnsafeRawBufferPointer(start: data, count: lineSize * rows), lineSize)
    }

    /// Writes into one plane; the buffer is valid only inside `body`. The
    /// frame must be writable (see ``makeWritable()``).
    public func withUnsafeMutablePlane<R>(_ plane: Int, rows: Int, _ body: (UnsafeMutableRawBufferPointer, _ lineSize: Int) throws -> R) rethrows -> R {
        let lineSize = lineSize(plane: plane)
        guard let data = pixsim_frame_data(pointer, Int32(plane)), lineSize > 0 else {
            return try body(UnsafeMutableRawBufferPointer(start: nil, count: 0), 0)
        }
        return try body(UnsafeMutableRawBufferPointer(start: data, count: lineSize * rows), lineSize)
    }

    /// Copies a packed 8-bit plane (such as the single plane of `gray8` or
    /// `rgb24`) into a tightly packed array of `bytesPerRow * rows` bytes.
    public func copyPlane(_ plane: Int, bytesPerRow: Int, rows: Int) -> [UInt8] {
        withUnsafePlane(plane, rows: rows) { buffer, lineSize in
            guard buffer.count > 0 else { return [] }
            if lineSize == bytesPerRow { return Array(buffer.prefix(bytesPerRow * rows)) }
            var out = [UInt8](repeating: 0, count: bytesPerRow * rows)
            out.withUnsafeMutableBytes { destination in
                for row in 0..<rows {
                    destination.baseAddress!.advanced(by: row * bytesPerRow)
                        .copyMemory(from: buffer.baseAddress!.advanced(by: row * lineSize), byteCount: bytesPerRow)
                }
            }
            return out
        }
    }

    /// Makes the buffers writable, copying them if they are shared (`av_frame_make_writable`).
    public func makeWritable() throws(AVError) {
        try check(av_frame_make_writable(pointer), "av_frame_make_writable")
    }

    /// Releases the buffers so the frame can be reused (`av_frame_unref`).
    public func unreference() { av_frame_unref(pointer) }

    /// Makes this frame a new reference to `other`'s buffers and properties (`av_frame_ref`).
    public func reference(_ other: Frame) throws(AVError) {
        av_frame_unref(pointer)
        try check(av_frame_ref(pointer, other.pointer), "av_frame_ref")
    }

    /// A new frame referencing the same buffers (`av_frame_clone`); cheap, no pixel copy.
    public func clone() throws(AVError) -> Frame {
        let copy = try Frame()
        try copy.reference(self)
        return copy
    }

    /// A new frame showing the rectangle `[left, left + width) x [top, top + height)` of this
    /// picture without copying pixels: a reference (`av_frame_clone`) whose data pointers are
    /// moved by `av_frame_apply_cropping` (unaligned, so the left edge is exact for 8-bit
    /// formats; subsampled chroma starts at the covering chroma sample).
    /// - Throws: ``AVError`` when the rectangle is not inside the picture.
    public func cropped(left: Int, top: Int, width: Int, height: Int) throws(AVError) -> Frame {
        guard left >= 0, top >= 0, width > 0, height > 0, left + width <= self.width, top + height <= self.height else {
            throw AVError.invalid("crop \(width)x\(height)+\(left)+\(top) is outside the \(self.width)x\(self.height) picture",
                                  operation: "av_frame_apply_cropping", code: AVError.invalidArgumentCode)
        }
        let view = try clone()
        view.pointer.pointee.crop_left = left
        view.pointer.pointee.crop_top = top
        view.pointer.pointee.crop_right = self.width - left - width
        view.pointer.pointee.crop_bottom = self.height - top - height
        try check(av_frame_apply_cropping(view.pointer, Int32(AV_FRAME_CROP_UNALIGNED)), "av_frame_apply_cropping")
        return view
    }

    /// Copies properties (timestamps, aspect ratio, colour information) but not data (`av_frame_copy_props`).
    public func copyProperties(from other: Frame) throws(AVError) {
        try check(av_frame_copy_props(pointer, other.pointer), "av_frame_copy_props")
    }

    // MARK: Side data

    /// The clockwise display rotation from the frame's display matrix, if any.
    public var displayRotation: Int? {
        guard let sideData = av_frame_get_side_data(pointer, AV_FRAME_DATA_DISPLAYMATRIX),
              sideData.pointee.size >= 9 * 4 else { return nil }
        return sideData.pointee.data.withMemoryRebound(to: Int32.self, capacity: 9) { DisplayMatrix.clockwiseRotation($0) }
    }
}

@available(*, unavailable, message: "A Frame owns a libav object that must stay in one task.")
extension Frame: Sendable {}

/// Reading of a 3x3 display matrix (`libavutil/display.h`).
public enum DisplayMatrix {
    /// The clockwise rotation, normalised to 0, 90, 180 or 270, that a player
    /// applies to show the picture upright. `av_display_rotation_get` returns
    /// the counter-clockwise angle, hence the sign change (as ffmpeg's own
    /// `get_rotation` does).
    static func clockwiseRotation(_ matrix: UnsafePointer<Int32>) -> Int {
        let counterClockwise = av_display_rotation_get(matrix)
        if counterClockwise.isNaN { return 0 }
        let clockwise = -counterClockwise
        var quarterTurns = Int((clockwise / 90).rounded()) % 4
        if quarterTurns < 0 { quarterTurns += 4 }
        return quarterTurns * 90
    }
}
