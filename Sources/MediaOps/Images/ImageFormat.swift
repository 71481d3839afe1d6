/// The still-image formats the image commands write.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// Baseline JPEG through libav's `mjpeg` encoder (`yuvj420p`).
    case jpeg = "jpg"
    /// Lossless PNG through libav's `png` encoder (`rgb24`).
    case png

    /// Reads a command-line or file-extension spelling: `jpg`, `jpeg`, `png` (any case).
    public init?(name: String) {
        switch name.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        default: return nil
        }
    }

    /// The extension files of this format get, without the dot.
    public var fileExtension: String { rawValue }

    /// 4:2:0 chroma needs even picture sides; PNG takes any size.
    var needsEvenDimensions: Bool { self == .jpeg }
}

/// An image file that was written: where, and its pixel size.
public struct WrittenImage: Sendable, Hashable, Codable {
    public var path: String
    public var width: Int
    public var height: Int

    public init(path: String, width: Int, height: Int) {
        self.path = path
        self.width = width
        self.height = height
    }
}
