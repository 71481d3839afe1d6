import Foundation
import LibAV

/// Turns decoded frames into upright image files (JPEG or PNG) at a requested
/// width: the one image path that keyframes, posters, storyboards and
/// segment thumbnails share.
///
/// Each frame is scaled once to RGB at the size it will have *before*
/// rotation (sample aspect ratio applied, so pixels come out square), then
/// turned upright in memory, then encoded. Files are written beside their
/// destination and renamed into place (``OutputDestination``).
///
/// ```swift
/// let writer = ImageWriter(format: .jpeg, width: 640)
/// let geometry = PictureGeometry(stream: video)
/// while let frame = try reader.nextFrame() {
///     if wanted(frame) { try writer.write(frame, geometry: geometry, to: "out/f.jpg", inputs: [path]) }
/// }
/// ```
///
/// Not `Sendable`: it keeps a scaler for the stream's frames. Make one per
/// task; pass ``RGBImage`` values (from ``makeImage(from:geometry:)``)
/// across tasks and encode them with ``write(_:as:to:inputs:jpegQuantizer:)``.
public final class ImageWriter {
    public let format: ImageFormat
    /// Width of the upright image; nil keeps the display width.
    public let width: Int?
    /// MJPEG quantizer, 2 (best) ... 31: 3 looks as good as the source at a third of q2's size.
    public var jpegQuantizer: Int = 3
    private var scaler: Scaler?
    private var scaled: Frame?

    /// - Parameters:
    ///   - format: JPEG or PNG.
    ///   - width: width of the written (upright) images; nil for the display width.
    public init(format: ImageFormat = .jpeg, width: Int? = nil) {
        self.format = format
        self.width = width.map { max(2, $0) }
    }

    /// The upright size images of `frame` get from this writer.
    public func outputSize(for frame: Frame, geometry: PictureGeometry) -> (width: Int, height: Int) {
        geometry.outputSize(storedWidth: frame.width, storedHeight: frame.height, requestedWidth: width,
                            evenDimensions: format.needsEvenDimensions)
    }

    /// The frame as an upright RGB picture at this writer's width: a value that
    /// outlives the frame (which decoders reuse) and can be composed or encoded later.
    /// - Throws: ``AVError`` if the frame cannot be converted (no picture, unknown pixel format).
    public func makeImage(from frame: Frame, geometry: PictureGeometry) throws(AVError) -> RGBImage {
        try makeImage(from: frame, geometry: geometry, width: width, evenDimensions: format.needsEvenDimensions)
    }

    /// As ``makeImage(from:geometry:)`` but at an explicit width (storyboard tiles).
    public func makeImage(from frame: Frame, geometry: PictureGeometry, width requestedWidth: Int?,
                          evenDimensions: Bool = false) throws(AVError) -> RGBImage {
        guard frame.width > 0, frame.height > 0 else {
            throw AVError.invalid("frame has no picture", operation: "ImageWriter", code: AVError.invalidArgumentCode)
        }
        let upright = geometry.outputSize(storedWidth: frame.width, storedHeight: frame.height,
                                          requestedWidth: requestedWidth, evenDimensions: evenDimensions)
        // Scale to the stored orientation's size, then turn: rotating the small picture is cheaper.
        let scaledWidth = geometry.swapsAxes ? upright.height : upright.width
        let scaledHeight = geometry.swapsAxes ? upright.width : upright.height
        let scaler = try scaler(for: frame, width: scaledWidth, height: scaledHeight)
        guard let scaled else { throw AVError.invalid("no scaled frame", operation: "ImageWriter", code: AVError.invalidArgumentCode) }
        try scaler.setSourceColorimetry(colorSpace: frame.colorSpace, fullRange: frame.isFullRange)
        try scaler.scale(frame, into: scaled)
        let pixels = scaled.copyPlane(0, bytesPerRow: scaledWidth * 3, rows: scaledHeight)
        guard pixels.count == scaledWidth * scaledHeight * 3 else {
            throw AVError.invalid("scaled picture has no data", operation: "sws_scale", code: AVError.invalidArgumentCode)
        }
        return RGBImage(width: scaledWidth, height: scaledHeight, pixels: pixels).rotated(clockwise: geometry.rotation)
    }

    private func scaler(for frame: Frame, width: Int, height: Int) throws(AVError) -> Scaler {
        if let scaler, scaler.accepts(frame), scaler.destinationWidth == width, scaler.destinationHeight == height {
            return scaler
        }
        let made = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                              destinationWidth: width, destinationHeight: height, destinationFormat: .rgb24,
                              algorithm: .bicubic)
        scaler = made
        scaled = try made.makeDestinationFrame()
        return made
    }

    /// Writes `frame` upright to `path` in this writer's format and width.
    /// - Parameter inputs: the input files, which the output may not replace.
    /// - Returns: the path and the pixel size written.
    /// - Throws: ``MediaError``: `output_conflict`/`output_unwritable` for a bad
    ///   destination, `libav` when conversion or encoding fails. Nothing is left behind on failure.
    @discardableResult
    public func write(_ frame: Frame, geometry: PictureGeometry, to path: String, inputs: [String]) throws(MediaError) -> WrittenImage {
        let destination = try OutputDestination(path: path, inputs: inputs)
        let image: RGBImage
        do { image = try makeImage(from: frame, geometry: geometry) } catch { throw MediaError(path: inputs.first ?? path, libav: error) }
        return try ImageWriter.write(image, as: format, to: destination, jpegQuantizer: jpegQuantizer)
    }

    /// Encodes `image` and writes it to `path` (atomically).
    /// - Throws: ``MediaError`` as ``write(_:geometry:to:inputs:)``.
    @discardableResult
    public static func write(_ image: RGBImage, as format: ImageFormat, to path: String, inputs: [String],
                             jpegQuantizer: Int = 3) throws(MediaError) -> WrittenImage {
        let destination = try OutputDestination(path: path, inputs: inputs)
        return try write(image, as: format, to: destination, jpegQuantizer: jpegQuantizer)
    }

    private static func write(_ image: RGBImage, as format: ImageFormat, to destination: OutputDestination,
                              jpegQuantizer: Int) throws(MediaError) -> WrittenImage {
        defer { destination.discardIfUncommitted() }
        let bytes: [UInt8]
        do { bytes = try encode(image, as: format, jpegQuantizer: jpegQuantizer) } catch {
            throw MediaError(path: destination.path, libav: error)
        }
        guard FileManager.default.createFile(atPath: destination.temporaryPath, contents: Data(bytes)) else {
            throw MediaError(path: destination.path, code: .outputUnwritable, message: "cannot write the image file")
        }
        try destination.commit()
        return WrittenImage(path: destination.path, width: image.width, height: image.height)
    }

    /// Encodes `image` as one JPEG or PNG file's bytes with libav's `mjpeg` or `png` encoder.
    /// JPEG needs even sides: an odd column or row is cropped.
    public static func encode(_ image: RGBImage, as format: ImageFormat, jpegQuantizer: Int = 3) throws(AVError) -> [UInt8] {
        let width = format.needsEvenDimensions ? image.width - image.width % 2 : image.width
        let height = format.needsEvenDimensions ? image.height - image.height % 2 : image.height
        guard width > 0, height > 0 else {
            throw AVError.invalid("image of \(image.width)x\(image.height) is too small for \(format)", operation: "ImageWriter",
                                  code: AVError.invalidArgumentCode)
        }
        let rgb = try Frame(width: width, height: height, pixelFormat: .rgb24)
        rgb.withUnsafeMutablePlane(0, rows: height) { buffer, lineSize in
            guard let base = buffer.baseAddress else { return }
            image.pixels.withUnsafeBytes { source in
                guard let sourceBase = source.baseAddress else { return }
                for row in 0..<height {
                    base.advanced(by: row * lineSize).copyMemory(from: sourceBase.advanced(by: row * image.width * 3), byteCount: width * 3)
                }
            }
        }
        let encoderFrame: Frame
        var settings: VideoEncoderSettings
        switch format {
        case .png:
            encoderFrame = rgb
            settings = VideoEncoderSettings(codecName: "png", width: width, height: height, pixelFormat: .rgb24, timeBase: Rational(1, 25))
        case .jpeg:
            let converter = try Scaler(sourceWidth: width, sourceHeight: height, sourceFormat: .rgb24,
                                       destinationWidth: width, destinationHeight: height, destinationFormat: .yuvj420p,
                                       algorithm: .bicubic)
            encoderFrame = try converter.makeDestinationFrame()
            try converter.scale(rgb, into: encoderFrame)
            settings = VideoEncoderSettings(codecName: "mjpeg", width: width, height: height, pixelFormat: .yuvj420p, timeBase: Rational(1, 25))
            settings.quantizer = max(2, min(31, jpegQuantizer))
            settings.colorRange = 2  // AVCOL_RANGE_JPEG: JPEG samples are full range.
        }
        settings.threadCount = 1
        encoderFrame.pts = 0
        let encoder = try Encoder(video: settings)
        let packet = try Packet()
        var bytes: [UInt8] = []
        do {
            try encoder.encode(encoderFrame, packet: packet) { bytes += $0.data }
            try encoder.encode(nil, packet: packet) { bytes += $0.data }
        } catch let error as AVError {
            throw error
        } catch {
            throw AVError.invalid("\(error)", operation: "ImageWriter", code: AVError.invalidArgumentCode)
        }
        guard !bytes.isEmpty else {
            throw AVError.invalid("the \(format) encoder produced nothing", operation: "ImageWriter", code: AVError.invalidArgumentCode)
        }
        return bytes
    }
}

@available(*, unavailable, message: "An ImageWriter owns a scaler that must stay in one task.")
extension ImageWriter: Sendable {}
