import LibAV

/// A small greyscale copy of a decoded picture: the currency of frame
/// analysis. Frames are shrunk once (to a few thousand pixels) and every
/// measure reads this, never the full-size frame.
public struct LumaPicture: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Row-major luma, `width * height` bytes, full range 0...255.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "LumaPicture needs width*height pixels")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    @inline(__always) public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }
}

/// Shrinks decoded frames to ``LumaPicture``s with one reusable scaler
/// (remade only if the stream changes size or format mid-way).
public final class LumaShrinker {
    public let width: Int
    public let height: Int
    private var scaler: Scaler?
    private var scaled: Frame?

    /// - Parameters: width and height of the pictures to produce.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// A size of about `targetPixels` pixels with the frame's aspect ratio.
    public static func size(forSourceWidth sourceWidth: Int, height sourceHeight: Int, targetPixels: Int = 64 * 36) -> (width: Int, height: Int) {
        guard sourceWidth > 0, sourceHeight > 0 else { return (1, 1) }
        let aspect = Double(sourceWidth) / Double(sourceHeight)
        let height = max(1, Int((Double(targetPixels) / aspect).squareRoot().rounded()))
        let width = max(1, Int((Double(height) * aspect).rounded()))
        return (min(width, sourceWidth), min(height, sourceHeight))
    }

    /// Shrinks `frame` (any pixel format) to greyscale.
    public func shrink(_ frame: Frame) throws(AVError) -> LumaPicture {
        if scaler == nil || !(scaler!.accepts(frame)) {
            let newScaler = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                                       destinationWidth: width, destinationHeight: height, destinationFormat: .gray8,
                                       algorithm: .area)
            scaler = newScaler
            scaled = try newScaler.makeDestinationFrame()
        }
        try scaler!.scale(frame, into: scaled!)
        return LumaPicture(width: width, height: height, pixels: scaled!.copyPlane(0, bytesPerRow: width, rows: height))
    }
}

@available(*, unavailable, message: "A LumaShrinker owns a scaler that must stay in one task.")
extension LumaShrinker: Sendable {}
