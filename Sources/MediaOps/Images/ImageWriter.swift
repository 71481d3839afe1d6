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
        let scaled = try scale(frame, width: scaledWidth, height: scaledHeight, format: .rgb24)
        let pixels = scaled.copyPlane(0, bytesPerRow: scaledWidth * 3, rows: scaledHeight)
        guard pixels.count == scaledWidth * scaledHeight * 3 else {
            throw AVError.invalid("scaled picture has no data", operation: "sws_scale", code: AVError.invalidArgumentCode)
        }
        return RGBImage(width: scaledWidth, height: scaledHeight, pixels: pixels).rotated(clockwise: geometry.rotation)
    }

    /// Converts `frame` with a scaler kept for the next frame of the same stream.
    private func scale(_ frame: Frame, width: Int, height: Int, format: PixelFormat) throws(AVError) -> Frame {
        if let scaler, let scaled, scaler.accepts(frame), scaler.destinationWidth == width, scaler.destinationHeight == height,
           scaler.destinationFormat == format {
            try scaler.setSourceColorimetry(matrix: frame.colorMatrix, fullRange: frame.isFullRange)
            try scaler.scale(frame, into: scaled)
            return scaled
        }
        let made = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                              destinationWidth: width, destinationHeight: height, destinationFormat: format,
                              algorithm: .bicubic)
        let destination = try made.makeDestinationFrame()
        scaler = made
        scaled = destination
        try made.setSourceColorimetry(matrix: frame.colorMatrix, fullRange: frame.isFullRange)
        try made.scale(frame, into: destination)
        return destination
    }

    /// Writes `frame` upright to `path` in this writer's format and width.
    /// - Parameter inputs: the input files, which the output may not replace.
    /// - Returns: the path and the pixel size written.
    /// - Throws: ``MediaError``: `output_conflict`/`output_unwritable` for a bad
    ///   destination, `libav` when conversion or encoding fails. Nothing is left behind on failure.
    @discardableResult
    public func write(_ frame: Frame, geometry: PictureGeometry, to path: String, inputs: [String]) throws(MediaError) -> WrittenImage {
        let destination = try OutputDestination(path: path, inputs: inputs)
        if format == .jpeg && geometry.rotation == 0 {
            // Upright already: scale straight to the encoder's format, no RGB round trip.
            defer { destination.discardIfUncommitted() }
            let size = outputSize(for: frame, geometry: geometry)
            let bytes: [UInt8]
            do {
                let picture = try scale(frame, width: size.width, height: size.height, format: .yuvj420p)
                bytes = try ImageWriter.encodeJPEG(picture, width: size.width, height: size.height, quantizer: jpegQuantizer)
            } catch {
                throw MediaError(path: inputs.first ?? path, libav: error)
            }
            return try ImageWriter.store(bytes, in: destination, width: size.width, height: size.height)
        }
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
        return try store(bytes, in: destination, width: image.width - (format.needsEvenDimensions ? image.width % 2 : 0),
                         height: image.height - (format.needsEvenDimensions ? image.height % 2 : 0))
    }

    /// Writes encoded bytes to the temporary file and renames it into place.
    private static func store(_ bytes: [UInt8], in destination: OutputDestination, width: Int, height: Int) throws(MediaError) -> WrittenImage {
        try destination.writeTemporaryFile(bytes, what: "the image file")
        try destination.commit()
        return WrittenImage(path: destination.path, width: width, height: height)
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
        switch format {
        case .png:
            let settings = VideoEncoderSettings(codecName: "png", width: width, height: height, pixelFormat: .rgb24, timeBase: Rational(1, 25))
            return try encodeOne(rgb, settings: settings)
        case .jpeg:
            let converter = try Scaler(sourceWidth: width, sourceHeight: height, sourceFormat: .rgb24,
                                       destinationWidth: width, destinationHeight: height, destinationFormat: .yuvj420p,
                                       algorithm: .bicubic)
            let yuv = try converter.makeDestinationFrame()
            try converter.scale(rgb, into: yuv)
            return try encodeJPEG(yuv, width: width, height: height, quantizer: jpegQuantizer)
        }
    }

    /// Encodes a `yuvj420p` picture as one JPEG file's bytes.
    static func encodeJPEG(_ picture: Frame, width: Int, height: Int, quantizer: Int) throws(AVError) -> [UInt8] {
        var settings = VideoEncoderSettings(codecName: "mjpeg", width: width, height: height, pixelFormat: .yuvj420p, timeBase: Rational(1, 25))
        settings.quantizer = max(2, min(31, quantizer))
        settings.colorimetry.range = .full  // JPEG samples are full range.
        return try encodeOne(picture, settings: settings)
    }

    /// Runs one picture through a fresh encoder and collects the packet bytes.
    private static func encodeOne(_ encoderFrame: Frame, settings baseSettings: VideoEncoderSettings) throws(AVError) -> [UInt8] {
        var settings = baseSettings
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
            throw AVError.invalid("the \(settings.codecName) encoder produced nothing", operation: "ImageWriter", code: AVError.invalidArgumentCode)
        }
        return bytes
    }
}

@available(*, unavailable, message: "An ImageWriter owns a scaler that must stay in one task.")
extension ImageWriter: Sendable {}
