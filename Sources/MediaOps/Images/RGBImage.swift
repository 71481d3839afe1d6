/// A picture in memory as packed 8-bit RGB (libav's `rgb24`): what keyframes,
/// posters and contact sheets are composed in before they are encoded.
/// A plain value, so it can cross tasks and outlive the decoder it came from.
public struct RGBImage: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    /// Row-major, 3 bytes per pixel, `width * height * 3` bytes, no padding.
    public var pixels: [UInt8]

    /// - Precondition: `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "RGBImage needs width*height*3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A picture filled with one colour.
    public init(width: Int, height: Int, fill: RGBColor = .black) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        if fill != .black {
            for offset in stride(from: 0, to: pixels.count, by: 3) {
                pixels[offset] = fill.red; pixels[offset + 1] = fill.green; pixels[offset + 2] = fill.blue
            }
        }
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            let offset = (y * width + x) * 3
            return RGBColor(red: pixels[offset], green: pixels[offset + 1], blue: pixels[offset + 2])
        }
        set {
            let offset = (y * width + x) * 3
            pixels[offset] = newValue.red; pixels[offset + 1] = newValue.green; pixels[offset + 2] = newValue.blue
        }
    }

    /// The picture turned clockwise by `degrees` (0, 90, 180 or 270; other
    /// values are normalised to the nearest quarter turn). This is how a
    /// player shows a stream whose display matrix says "rotate by 90": the
    /// stored picture is sideways and the image we write must be upright.
    public func rotated(clockwise degrees: Int) -> RGBImage {
        var quarterTurns = Int((Double(degrees) / 90).rounded()) % 4
        if quarterTurns < 0 { quarterTurns += 4 }
        if quarterTurns == 0 { return self }
        let w = width, h = height
        let newWidth = quarterTurns == 2 ? w : h
        let newHeight = quarterTurns == 2 ? h : w
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                for newY in 0..<newHeight {
                    for newX in 0..<newWidth {
                        // Where this upright pixel sits in the stored picture.
                        let x: Int, y: Int
                        switch quarterTurns {
                        case 1: x = newY; y = h - 1 - newX
                        case 2: x = w - 1 - newX; y = h - 1 - newY
                        default: x = w - 1 - newY; y = newX
                        }
                        let from = (y * w + x) * 3, to = (newY * newWidth + newX) * 3
                        destination[to] = source[from]
                        destination[to + 1] = source[from + 1]
                        destination[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// Paints a rectangle (clipped to the picture), blending `color` over what
    /// is there with `opacity` in [0, 1]: half-transparent boxes keep time
    /// codes readable on any picture.
    public mutating func fillRectangle(x: Int, y: Int, width rectWidth: Int, height rectHeight: Int, color: RGBColor, opacity: Double = 1) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + rectWidth), y1 = min(height, y + rectHeight)
        guard x0 < x1, y0 < y1 else { return }
        let alpha = max(0, min(1, opacity))
        let keep = 1 - alpha
        let r = Double(color.red) * alpha, g = Double(color.green) * alpha, b = Double(color.blue) * alpha
        let w = width
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in y0..<y1 {
                for column in x0..<x1 {
                    let offset = (row * w + column) * 3
                    if alpha >= 1 {
                        buffer[offset] = color.red; buffer[offset + 1] = color.green; buffer[offset + 2] = color.blue
                    } else {
                        buffer[offset] = UInt8((Double(buffer[offset]) * keep + r).rounded())
                        buffer[offset + 1] = UInt8((Double(buffer[offset + 1]) * keep + g).rounded())
                        buffer[offset + 2] = UInt8((Double(buffer[offset + 2]) * keep + b).rounded())
                    }
                }
            }
        }
    }

    /// Copies `image` into this picture with its top-left corner at (x, y), clipped.
    public mutating func draw(_ image: RGBImage, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + image.width), y1 = min(height, y + image.height)
        guard x0 < x1, y0 < y1 else { return }
        let rowBytes = (x1 - x0) * 3
        let w = width
        pixels.withUnsafeMutableBufferPointer { destination in
            image.pixels.withUnsafeBufferPointer { source in
                for row in y0..<y1 {
                    let from = ((row - y) * image.width + (x0 - x)) * 3
                    let to = (row * w + x0) * 3
                    for byte in 0..<rowBytes { destination[to + byte] = source[from + byte] }
                }
            }
        }
    }
}

/// An 8-bit sRGB colour.
public struct RGBColor: Sendable, Hashable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red; self.green = green; self.blue = blue
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 255, green: 255, blue: 255)
}
