import LibAV

/// How a stored picture must be turned and stretched to look right: the
/// stream's display rotation and its sample (pixel) aspect ratio. Phones
/// store portrait video as landscape pictures plus "rotate 90", and DV or
/// broadcast files store 704x576 pictures meant to be shown 1024x576; an
/// image written without applying both is sideways or squashed.
public struct PictureGeometry: Sendable, Hashable {
    /// Clockwise rotation a player applies: 0, 90, 180 or 270.
    public var rotation: Int
    /// Width of one stored pixel relative to its height (1:1 for square pixels).
    public var sampleAspectRatio: Rational

    public init(rotation: Int = 0, sampleAspectRatio: Rational = Rational(1, 1)) {
        var quarterTurns = Int((Double(rotation) / 90).rounded()) % 4
        if quarterTurns < 0 { quarterTurns += 4 }
        self.rotation = quarterTurns * 90
        self.sampleAspectRatio = sampleAspectRatio.isValid && sampleAspectRatio.numerator > 0 && sampleAspectRatio.denominator > 0
            ? sampleAspectRatio : Rational(1, 1)
    }

    /// The geometry a player uses for `stream`: its display matrix and its
    /// sample aspect ratio (the container's, else the codec's).
    public init(stream: MediaStream) {
        let containerRatio = stream.sampleAspectRatio
        let ratio = containerRatio.isValid ? containerRatio : stream.parameters.sampleAspectRatio
        self.init(rotation: stream.rotation, sampleAspectRatio: ratio)
    }

    /// Whether the picture is turned a quarter, so width and height swap.
    public var swapsAxes: Bool { rotation == 90 || rotation == 270 }

    /// The upright size a player shows for a stored `width` x `height` picture.
    public func displaySize(storedWidth width: Int, storedHeight height: Int) -> (width: Int, height: Int) {
        let stretched = max(1, Int((Double(width) * sampleAspectRatio.doubleValue).rounded()))
        return swapsAxes ? (height, stretched) : (stretched, height)
    }

    /// The upright size of an output image `requestedWidth` wide (nil: the
    /// display size), keeping the display aspect ratio.
    /// - Parameter evenDimensions: round both sides to even numbers, as 4:2:0 encoders need.
    public func outputSize(storedWidth width: Int, storedHeight height: Int, requestedWidth: Int?,
                           evenDimensions: Bool) -> (width: Int, height: Int) {
        let display = displaySize(storedWidth: width, storedHeight: height)
        let exactHeight = Double(max(1, requestedWidth ?? display.width)) * Double(display.height) / Double(display.width)
        if evenDimensions {
            let outWidth = max(2, ((requestedWidth ?? display.width) / 2) * 2)
            let outHeight = max(2, Int((Double(outWidth) * Double(display.height) / Double(display.width) / 2).rounded()) * 2)
            return (outWidth, outHeight)
        }
        let outWidth = max(1, requestedWidth ?? display.width)
        let outHeight = max(1, Int(exactHeight.rounded()))
        return (outWidth, outHeight)
    }
}
