import CFFmpeg

/// An owned swscale context (`sws_getContext` / `sws_freeContext`) that
/// converts pictures between sizes and pixel formats.
public final class Scaler {
    let context: OpaquePointer
    public let sourceWidth: Int, sourceHeight: Int, sourceFormat: PixelFormat
    public let destinationWidth: Int, destinationHeight: Int, destinationFormat: PixelFormat

    /// Scaling algorithms (`SWS_*` flags).
    public enum Algorithm: Sendable {
        /// `SWS_FAST_BILINEAR`: cheapest, fine for small analysis pictures.
        case fastBilinear
        /// `SWS_BILINEAR`.
        case bilinear
        /// `SWS_AREA`: averages, the right choice for strong shrinking.
        case area
        /// `SWS_BICUBIC`: images people look at.
        case bicubic
        /// `SWS_LANCZOS`.
        case lanczos

        var flags: Int32 {
            switch self {
            case .fastBilinear: SWS_FAST_BILINEAR
            case .bilinear: SWS_BILINEAR
            case .area: SWS_AREA
            case .bicubic: SWS_BICUBIC
            case .lanczos: SWS_LANCZOS
            }
        }
    }

    public init(sourceWidth: Int, sourceHeight: Int, sourceFormat: PixelFormat,
                destinationWidth: Int, destinationHeight: Int, destinationFormat: PixelFormat,
                algorithm: Algorithm = .bicubic) throws(AVError) {
        guard sourceWidth > 0, sourceHeight > 0, destinationWidth > 0, destinationHeight > 0 else {
            throw AVError.invalid("cannot scale \(sourceWidth)x\(sourceHeight) to \(destinationWidth)x\(destinationHeight)",
                                  operation: "sws_getContext", code: AVError.invalidArgumentCode)
        }
        // libswscale asserts (aborts the process) on a format it has no converter for, such as the
        // unknown format of a stream whose decoder never saw a picture: refused here instead.
        guard sws_isSupportedInput(sourceFormat.avValue) > 0 else {
            let format = sourceFormat == .none ? "an unknown pixel format (no picture of the stream was decoded to tell it)" : "pixel format \(sourceFormat)"
            throw AVError.invalid("cannot convert pictures of \(format)",
                                  operation: "sws_getContext", code: AVError.invalidArgumentCode)
        }
        guard sws_isSupportedOutput(destinationFormat.avValue) > 0 else {
            throw AVError.invalid("cannot convert pictures into pixel format \(destinationFormat)",
                                  operation: "sws_getContext", code: AVError.invalidArgumentCode)
        }
        guard let context = sws_getContext(Int32(sourceWidth), Int32(sourceHeight), sourceFormat.avValue,
                                           Int32(destinationWidth), Int32(destinationHeight), destinationFormat.avValue,
                                           algorithm.flags, nil, nil, nil) else {
            throw AVError.invalid("cannot convert \(sourceFormat) \(sourceWidth)x\(sourceHeight) to \(destinationFormat) \(destinationWidth)x\(destinationHeight)",
                                  operation: "sws_getContext", code: AVError.invalidArgumentCode)
        }
        self.context = context
        self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight; self.sourceFormat = sourceFormat
        self.destinationWidth = destinationWidth; self.destinationHeight = destinationHeight; self.destinationFormat = destinationFormat
    }

    deinit { sws_freeContext(context) }

    /// Whether this scaler was made for frames like `frame`.
    public func accepts(_ frame: Frame) -> Bool {
        frame.width == sourceWidth && frame.height == sourceHeight && frame.pixelFormat == sourceFormat
    }

    /// Converts `source` into `destination`, which must have been made with this
    /// scaler's destination size and format (``makeDestinationFrame()``).
    public func scale(_ source: Frame, into destination: Frame) throws(AVError) {
        guard accepts(source) else {
            throw AVError.invalid("picture changed to \(source.width)x\(source.height) \(source.pixelFormat) mid-stream",
                                  operation: "sws_scale", code: AVError.invalidArgumentCode)
        }
        try destination.makeWritable()
        try check(sws_scale(context, pixsim_frame_const_data_pointers(source.pointer), pixsim_frame_linesizes(source.pointer),
                            0, Int32(sourceHeight),
                            pixsim_frame_data_pointers(destination.pointer), pixsim_frame_linesizes(destination.pointer)),
                  "sws_scale")
    }

    /// A frame with buffers of the destination size and format.
    public func makeDestinationFrame() throws(AVError) -> Frame {
        try Frame(width: destinationWidth, height: destinationHeight, pixelFormat: destinationFormat)
    }
}

@available(*, unavailable, message: "A Scaler owns a libav context that must stay in one task.")
extension Scaler: Sendable {}
