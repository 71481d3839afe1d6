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
        self = picture.pixels.withUnsafeBufferPointer { FrameQuality(luma: $0, width: picture.width, height: picture.height) }
    }

    /// A quality from measures already taken.
    init(brightness: Double, contrast: Double, sharpness: Double) {
        self.brightness = brightness
        self.contrast = contrast
        self.sharpness = sharpness
    }

    /// The one measurement: mean, standard deviation and Laplacian variance of
    /// a full-range luma picture (row-major, `width * height` bytes). Both the
    /// analysis pass and the seek pickers measure the analysis picture
    /// (`AnalysisShrinker`) with it.
    ///
    /// Measured once per analysed frame, so the sums run in 32-bit wrapping arithmetic over runs short
    /// enough never to overflow (1,024 pixels: at most 1,024 squares of 1,020), which the compiler turns
    /// into vector code; 64-bit checked sums pixel by pixel were a tenth of a small video's analysis.
    init(luma p: UnsafeBufferPointer<UInt8>, width w: Int, height h: Int) {
        let run = 1024
        var sum = 0, sumSquares = 0
        var start = 0
        while start < p.count {
            var runSum: Int32 = 0, runSquares: Int32 = 0
            for index in start..<min(p.count, start + run) {
                let v = Int32(p[index])
                runSum &+= v; runSquares &+= v &* v
            }
            sum += Int(runSum); sumSquares += Int(runSquares)
            start += run
        }
        let count = Double(max(1, p.count))
        let mean = Double(sum) / count
        var lapSum = 0, lapSquares = 0, samples = 0
        if w >= 3 && h >= 3 && p.count >= w * h {
            for y in 1..<(h - 1) {
                let row = y * w
                var x = 1
                while x < w - 1 {
                    let end = min(w - 1, x + run)
                    var runSum: Int32 = 0, runSquares: Int32 = 0
                    for column in x..<end {
                        let i = row + column
                        let value = 4 &* Int32(p[i]) &- Int32(p[i - 1]) &- Int32(p[i + 1]) &- Int32(p[i - w]) &- Int32(p[i + w])
                        runSum &+= value; runSquares &+= value &* value
                    }
                    lapSum += Int(runSum); lapSquares += Int(runSquares)
                    x = end
                }
                samples += w - 2
            }
        }
        var sharpness = 0.0
        if samples > 0 {
            let meanLap = Double(lapSum) / Double(samples) / 255
            sharpness = max(0, Double(lapSquares) / Double(samples) / (255 * 255) - meanLap * meanLap)
        }
        self.init(brightness: mean / 255, contrast: max(0, Double(sumSquares) / count - mean * mean).squareRoot() / 255,
                  sharpness: sharpness)
    }

    /// Black: mean luma below 11.5 of 255 (PySceneDetect's fade threshold, 12: a
    /// frame at exactly 12 is not black) and almost no contrast. The one
    /// definition: a fade through black (`SegmentDecider`) is a run of these,
    /// and no still is one.
    public var isBlack: Bool { brightness * 255 < 11.5 && contrast < 0.05 }
    /// Nearly flat: a single colour or the middle of a fade to white.
    public var isFlat: Bool { contrast < 0.03 }

    /// One number to rank candidate posters: sharp, well exposed, contrasty
    /// pictures score high; black and flat ones score near zero.
    public var posterScore: Double {
        if isBlack || isFlat { return 0 }
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
