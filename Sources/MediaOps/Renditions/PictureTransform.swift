import LibAV

/// What is done to each decoded picture of a rendition before it is encoded
/// (``ReencodingWriter`` calls it between its decoder and its encoder).
protocol PictureTransform: AnyObject {
    var outputWidth: Int { get }
    var outputHeight: Int { get }
    var outputPixelFormat: PixelFormat { get }
    var outputSampleAspectRatio: Rational { get }
    /// The picture to encode for decoded frame number `index` (0-based, presentation order).
    /// The result is valid until the next call.
    func apply(_ frame: Frame, index: Int) throws -> Frame
}

/// Owns the one swscale context of a transform and the picture it fills (reused from frame to frame);
/// the context is made again if the decoded pictures change size or format mid-stream.
final class ScalerSlot {
    private var scaler: Scaler?
    private var picture: Frame?
    let width: Int, height: Int, format: PixelFormat, algorithm: Scaler.Algorithm

    init(width: Int, height: Int, format: PixelFormat, algorithm: Scaler.Algorithm) {
        self.width = width; self.height = height; self.format = format; self.algorithm = algorithm
    }

    /// `frame` converted to this slot's size and format, with the properties (timestamps, colour) of `properties`.
    func convert(_ frame: Frame, properties: Frame) throws(AVError) -> Frame {
        let current: Scaler
        if let scaler, scaler.accepts(frame) { current = scaler } else {
            current = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                                 destinationWidth: width, destinationHeight: height, destinationFormat: format, algorithm: algorithm)
            scaler = current
        }
        let destination: Frame
        if let picture { destination = picture } else {
            destination = try current.makeDestinationFrame()
            picture = destination
        }
        try current.scale(frame, into: destination)
        try destination.copyProperties(from: properties)
        return destination
    }
}

/// The whole picture resized (compressed, upscaled), then sharpened when asked.
final class ResizeTransform: PictureTransform {
    let outputWidth: Int, outputHeight: Int, outputPixelFormat: PixelFormat, outputSampleAspectRatio: Rational
    private let slot: ScalerSlot
    /// Applied to the luma of each resized picture (upscaled `--sharpen`).
    var sharpening: UnsharpMask?

    init(width: Int, height: Int, pixelFormat: PixelFormat, sampleAspectRatio: Rational, algorithm: Scaler.Algorithm) {
        outputWidth = width; outputHeight = height; outputPixelFormat = pixelFormat; outputSampleAspectRatio = sampleAspectRatio
        slot = ScalerSlot(width: width, height: height, format: pixelFormat, algorithm: algorithm)
    }

    func apply(_ frame: Frame, index: Int) throws -> Frame {
        let picture = try slot.convert(frame, properties: frame)
        if let sharpening {
            // The encoder may still hold the last picture: writing copies it first if so.
            try picture.makeWritable()
            try sharpening.apply(to: picture)
        }
        return picture
    }
}

/// A window of the source per frame (``ReframePlan``), converted to the encoder's format when needed.
final class CropTransform: PictureTransform {
    let outputWidth: Int, outputHeight: Int, outputPixelFormat: PixelFormat, outputSampleAspectRatio: Rational
    private let plan: ReframePlan
    private let slot: ScalerSlot
    private let converts: Bool

    init(plan: ReframePlan, sourceFormat: PixelFormat, pixelFormat: PixelFormat, sampleAspectRatio: Rational) {
        self.plan = plan
        outputWidth = plan.cropWidth; outputHeight = plan.cropHeight
        outputPixelFormat = pixelFormat; outputSampleAspectRatio = sampleAspectRatio
        converts = sourceFormat != pixelFormat
        slot = ScalerSlot(width: plan.cropWidth, height: plan.cropHeight, format: pixelFormat, algorithm: .bicubic)
    }

    func apply(_ frame: Frame, index: Int) throws -> Frame {
        let window = plan.window(at: index)
        let cropped = try frame.cropped(left: min(window.left, frame.width - outputWidth), top: min(window.top, frame.height - outputHeight),
                                        width: outputWidth, height: outputHeight)
        // Same format: the window itself goes to the encoder, no pixel is copied.
        guard converts || cropped.pixelFormat != outputPixelFormat else { return cropped }
        return try slot.convert(cropped, properties: frame)
    }
}

/// The whole picture scaled to fit a canvas of another shape, on black.
final class PadTransform: PictureTransform {
    let outputWidth: Int, outputHeight: Int, outputPixelFormat: PixelFormat
    var outputSampleAspectRatio: Rational { Rational(1, 1) }
    let x: Int, y: Int
    private let fitted: ResizeTransform
    private var canvas: Frame?

    init(canvasWidth: Int, canvasHeight: Int, fittedWidth: Int, fittedHeight: Int, pixelFormat: PixelFormat) {
        outputWidth = canvasWidth; outputHeight = canvasHeight; outputPixelFormat = pixelFormat
        x = (canvasWidth - fittedWidth) / 4 * 2
        y = (canvasHeight - fittedHeight) / 4 * 2
        fitted = ResizeTransform(width: fittedWidth, height: fittedHeight, pixelFormat: pixelFormat,
                                 sampleAspectRatio: Rational(1, 1), algorithm: .lanczos)
    }

    func apply(_ frame: Frame, index: Int) throws -> Frame {
        let picture = try fitted.apply(frame, index: index)
        let destination: Frame
        if let canvas { destination = canvas } else {
            destination = try Frame(width: outputWidth, height: outputHeight, pixelFormat: outputPixelFormat)
            try destination.copyProperties(from: frame)
            try destination.fillBlack()
            canvas = destination
        }
        // The encoder may still hold the canvas: place() makes it writable, copying the bars along.
        try destination.place(picture, atX: x, y: y)
        try destination.copyProperties(from: frame)
        return destination
    }
}

@available(*, unavailable, message: "Transforms own libav objects that must stay in one task.")
extension ResizeTransform: Sendable {}
@available(*, unavailable, message: "Transforms own libav objects that must stay in one task.")
extension CropTransform: Sendable {}
@available(*, unavailable, message: "Transforms own libav objects that must stay in one task.")
extension PadTransform: Sendable {}
