/// How usable one picture is as a poster or keyframe: not black, not a
/// washed-out fade, not blurred. Computed on a small ``LumaPicture``.
public struct FrameQuality: Sendable, Equatable {
    /// Mean luma in [0, 1].
    public var brightness: Double
    /// Standard deviation of luma in [0, 0.5]: near 0 for flat (black, white, mid-fade) pictures.
    public var contrast: Double
    /// Variance of the 4-neighbour Laplacian, normalised to [0, 1]-ish: low for blurred pictures.
    public var sharpness: Double

    /// Measures a picture.
    public init(_ picture: LumaPicture) {
        let pixels = picture.pixels
        let count = Double(max(1, pixels.count))
        var sum = 0.0, sumSquares = 0.0
        for value in pixels {
            let v = Double(value)
            sum += v
            sumSquares += v * v
        }
        let mean = sum / count
        brightness = mean / 255
        contrast = max(0, sumSquares / count - mean * mean).squareRoot() / 255
        var laplacianSum = 0.0, laplacianSquares = 0.0, samples = 0.0
        let w = picture.width, h = picture.height
        if w >= 3 && h >= 3 {
            for y in 1..<(h - 1) {
                let row = y * w
                for x in 1..<(w - 1) {
                    let center = 4 * Int(pixels[row + x])
                    let around = Int(pixels[row + x - 1]) + Int(pixels[row + x + 1]) + Int(pixels[row - w + x]) + Int(pixels[row + w + x])
                    let value = Double(center - around) / 255
                    laplacianSum += value
                    laplacianSquares += value * value
                    samples += 1
                }
            }
        }
        sharpness = samples > 0 ? max(0, laplacianSquares / samples - (laplacianSum / samples) * (laplacianSum / samples)) : 0
    }

    /// Nearly black (a fade-out's end, a black leader).
    public var isNearBlack: Bool { brightness < 0.06 && contrast < 0.04 }
    /// Nearly flat: a single colour or the middle of a fade to white.
    public var isFlat: Bool { contrast < 0.03 }

    /// One number to rank candidate posters: sharp, well exposed, contrasty
    /// pictures score high; black and flat ones score near zero.
    public var posterScore: Double {
        if isNearBlack || isFlat { return 0 }
        return (0.5 + sharpness.squareRoot()) * (0.3 + contrast) * (0.5 + exposure)
    }

    /// How well exposed: 1 at mid-grey (0.45), 0 at black or white.
    public var exposure: Double { 1 - min(1, abs(brightness - 0.45) / 0.45) }

    /// Whether this is the better still of the two: the higher ``posterScore``,
    /// and between pictures that both score 0 (a video black or flat throughout)
    /// the better exposed, so that such a video's poster is its picture, not black.
    public func isBetterStill(than other: FrameQuality) -> Bool {
        (posterScore, exposure) > (other.posterScore, other.exposure)
    }
}
