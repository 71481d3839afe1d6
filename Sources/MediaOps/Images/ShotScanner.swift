import LibAV

/// A shot found by ``ShotScanner``: where it starts and ends and its best-looking frame.
struct Shot {
    var start: Int64
    var end: Int64
    var bestTimestamp: Int64
    var bestScore: Double
}

/// A small hard-cut detector for the `scenes` keyframe strategy: one decode
/// pass, every frame shrunk to a small grey picture, a cut wherever the
/// picture changes much more than it has been changing (so fast motion does
/// not cut), shots shorter than half a second merged into the previous one.
/// Each shot remembers its frame with the best ``FrameQuality/posterScore``.
enum ShotScanner {
    /// Mean absolute luma change (0...1) above which a frame may start a new shot.
    static let cutThreshold = 0.12

    static func scan(_ video: SeekableVideo) throws(MediaError) -> [Shot] {
        var shots: [Shot] = []
        var previous: LumaPicture?
        var recentChange = 0.0
        let minimumLength = Timestamp(seconds: 0.5, timeBase: video.timeBase).value
        var shrinker: LumaShrinker?
        try video.decode(from: video.origin) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
            let picture: LumaPicture
            do throws(AVError) {
                if shrinker == nil {
                    let size = LumaShrinker.size(forSourceWidth: frame.width, height: frame.height, targetPixels: 96 * 54)
                    shrinker = LumaShrinker(width: size.width, height: size.height)
                }
                picture = try shrinker!.shrink(frame)
            } catch {
                throw MediaError(path: video.path, libav: error)
            }
            let score = FrameQuality(picture).posterScore
            var change = 0.0
            if let previous, previous.pixels.count == picture.pixels.count {
                var total = 0
                for index in picture.pixels.indices { total += abs(Int(picture.pixels[index]) - Int(previous.pixels[index])) }
                change = Double(total) / Double(picture.pixels.count) / 255
            }
            let isCut = previous != nil && change > cutThreshold && change > 3 * recentChange
            recentChange = recentChange * 0.8 + change * 0.2
            previous = picture
            if shots.isEmpty || (isCut && time - shots[shots.count - 1].start >= minimumLength) {
                if !shots.isEmpty { shots[shots.count - 1].end = time }
                shots.append(Shot(start: time, end: time, bestTimestamp: time, bestScore: score))
            } else if score > shots[shots.count - 1].bestScore {
                shots[shots.count - 1].bestScore = score
                shots[shots.count - 1].bestTimestamp = time
            }
            shots[shots.count - 1].end = max(shots[shots.count - 1].end, time + video.frameDuration)
            return true
        }
        return shots
    }
}
