import LibAV

/// A shot found by ``ShotScanner``: where it starts and ends and its best-looking frame.
struct Shot {
    var start: Int64
    var end: Int64
    var bestTimestamp: Int64
    var bestScore: Double
}

/// A small hard-cut detector for the `scenes` keyframe strategy, used until
/// the analysis engine's segments are available here: one decode pass, every
/// frame shrunk to a small grey picture, a cut wherever the picture changes
/// much more than it has been changing (so steady fast motion does not cut)
/// and does not come back within three frames (so a flash does not cut),
/// shots shorter than half a second merged into the previous one. Each shot
/// gets its best ``FrameQuality/posterScore`` frame away from its edges.
enum ShotScanner {
    /// Mean absolute luma change (0...1) above which a frame may start a new shot.
    static let cutThreshold = 0.12
    /// Frames a new picture must last to be a cut rather than a flash.
    static let confirmationFrames = 3

    static func scan(_ video: SeekableVideo) throws(MediaError) -> [Shot] {
        var frames: [(time: Int64, score: Double)] = []
        var cuts: [Int64] = []
        var previous: LumaPicture?
        var recentChange = 0.0
        var pending: (time: Int64, before: LumaPicture, jump: Double, framesSeen: Int)?
        let minimumLength = Timestamp(seconds: 0.5, timeBase: video.timeBase).value
        var shrinker: LumaShrinker?
        try video.decode(from: video.origin) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
            let picture: LumaPicture
            do throws(AVError) {
                let active: LumaShrinker
                if let shrinker { active = shrinker } else {
                    let size = LumaShrinker.size(forSourceWidth: frame.width, height: frame.height, targetPixels: 96 * 54)
                    active = LumaShrinker(width: size.width, height: size.height)
                    shrinker = active
                }
                picture = try active.shrink(frame)
            } catch {
                throw MediaError(path: video.path, libav: error)
            }
            frames.append((time, FrameQuality(picture).posterScore))
            var flashEnded = false
            if var candidate = pending {
                if meanChange(candidate.before, picture) < candidate.jump / 2 {
                    pending = nil  // the picture came back (moved on a little, but far closer than the jump): a flash
                    flashEnded = true
                } else {
                    candidate.framesSeen += 1
                    pending = candidate
                    if candidate.framesSeen >= confirmationFrames {
                        if candidate.time - (cuts.last ?? video.origin) >= minimumLength { cuts.append(candidate.time) }
                        pending = nil
                    }
                }
            }
            if let previous {
                let change = meanChange(previous, picture)
                if pending == nil && !flashEnded && change > cutThreshold && change > 3 * recentChange {
                    pending = (time, previous, change, 0)
                }
                recentChange = recentChange * 0.8 + change * 0.2
            }
            previous = picture
            return true
        }
        // A cut in the last frames cannot be told from a flash; it counts if it lasted to the end.
        if let pending, pending.framesSeen > 0, pending.time - (cuts.last ?? video.origin) >= minimumLength { cuts.append(pending.time) }
        guard let first = frames.first?.time, let last = frames.last?.time else { return [] }
        let boundaries = [first] + cuts.filter { $0 > first } + [last + video.frameDuration]
        var shots: [Shot] = []
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            let inShot = frames.filter { $0.time >= start && $0.time < end }
            // The best frame away from the shot's edges, where cuts blur and transitions begin.
            let margin = (end - start) / 10
            let inner = inShot.filter { $0.time >= start + margin && $0.time < end - margin }
            guard let best = (inner.isEmpty ? inShot : inner).max(by: { $0.score < $1.score }) else { continue }
            shots.append(Shot(start: start, end: end, bestTimestamp: best.time, bestScore: best.score))
        }
        return shots
    }

    /// Mean absolute difference of two pictures of the same size, 0...1.
    static func meanChange(_ a: LumaPicture, _ b: LumaPicture) -> Double {
        guard a.pixels.count == b.pixels.count, !a.pixels.isEmpty else { return 1 }
        var total = 0
        for index in a.pixels.indices { total += abs(Int(a.pixels[index]) - Int(b.pixels[index])) }
        return Double(total) / Double(a.pixels.count) / 255
    }
}
