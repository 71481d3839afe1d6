import LibAV

/// Finds joins where the next input starts on the previous input's last
/// picture, as provider "extend" generations do (they begin on their source's
/// final frame). Pictures are compared small and grey (``LumaShrinker``),
/// with a tolerance for the re-encoding both went through.
enum DuplicateJoin {
    /// Mean absolute luma difference (0...255) below which two pictures count as the same frame.
    static let tolerance = 2.5
    static let pictureSize = (width: 64, height: 36)

    /// Whether `next`'s first frame repeats `previous`'s last one.
    static func repeats(previous: String, next: String) throws(MediaError) -> Bool {
        guard let last = try lastPicture(previous), let first = try firstPicture(next) else { return false }
        return meanDifference(last, first) <= tolerance
    }

    static func meanDifference(_ a: LumaPicture, _ b: LumaPicture) -> Double {
        guard a.pixels.count == b.pixels.count, !a.pixels.isEmpty else { return .infinity }
        var total = 0
        for i in a.pixels.indices { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(a.pixels.count)
    }

    static func firstPicture(_ path: String) throws(MediaError) -> LumaPicture? {
        let input = try InputValidation.openWithStreamInfo(path)
        guard let video = input.bestStream(.video) else { return nil }
        do {
            let reader = try FrameReader(input: input, stream: video)
            let shrinker = LumaShrinker(width: pictureSize.width, height: pictureSize.height)
            guard let frame = try reader.nextFrame() else { return nil }
            return try shrinker.shrink(frame)
        } catch {
            throw MediaError(path: path, libav: error)
        }
    }

    static func lastPicture(_ path: String) throws(MediaError) -> LumaPicture? {
        let input = try InputValidation.openWithStreamInfo(path)
        guard let video = input.bestStream(.video) else { return nil }
        do {
            let reader = try FrameReader(input: input, stream: video)
            let shrinker = LumaShrinker(width: pictureSize.width, height: pictureSize.height)
            let end: Int64? = video.duration.map { (video.startTime ?? 0) + $0 }
                ?? input.duration.map { rescale($0 + (input.startTime ?? 0), from: .microseconds, to: video.timeBase) }
            if let end {
                let back = Timestamp(seconds: 2, timeBase: video.timeBase).value
                try reader.seek(toKeyframeBefore: end - back)
            }
            var last: LumaPicture? = nil
            var lastPTS = Int64.min
            while let frame = try reader.nextFrame() {
                let pts = reader.presentationTimestamp(of: frame)
                if pts >= lastPTS || pts == Timestamp.none {
                    last = try shrinker.shrink(frame)
                    if pts != Timestamp.none { lastPTS = pts }
                }
            }
            return last
        } catch {
            throw MediaError(path: path, libav: error)
        }
    }
}
