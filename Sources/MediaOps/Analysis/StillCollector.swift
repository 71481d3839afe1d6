import LibAV

/// Where a still is wanted: a stretch of the video (stream timestamps) and
/// the moment in it the still should be nearest to.
struct StillWindow: Sendable, Hashable {
    var low: Int64
    var high: Int64
    var centre: Int64
}

/// A decoded frame kept as a candidate still, with its presentation timestamp.
/// It crosses from the chunk worker that decoded it to the thread that joins
/// the workers' results as a ``FrozenFrame``: a reference to the decoded
/// buffers that is `Sendable` by construction (read-only, its own owner).
struct StillCandidate: Sendable {
    let picture: FrozenFrame
    let timestamp: Int64
}

/// Keeps, during the measuring pass, the few frames that can become the
/// stills asked for (a poster near the first third, keyframes in the middle
/// of N equal parts), so that no second decode is needed to make them.
///
/// Per window it keeps the ``keep`` good and steady frames (not black, not
/// flat, brightness unchanged since the previous frame: not mid-fade) nearest
/// the window's centre, as references to the decoded pictures (no copy). The
/// final choice, once every frame is measured, is ``choose(_:in:measures:boundaries:)``.
final class StillCollector {
    /// Candidates kept per window: enough that one survives the checks only
    /// possible afterwards (the next frame steady too, no cut next to it);
    /// one for pictures above 1440p, whose every held frame costs 12 MB or more.
    static func keep(forPixels pixels: Int) -> Int { pixels > 2560 * 1440 ? 1 : 3 }
    let windows: [StillWindow]
    private(set) var candidates: [[StillCandidate]]
    private var keep = 3

    init(windows: [StillWindow]) {
        self.windows = windows
        candidates = Array(repeating: [], count: windows.count)
    }

    /// Offers a measured frame; `steady` when its brightness matches the previous frame's.
    func observe(_ frame: Frame, timestamp: Int64, quality: FrameQuality, steady: Bool) throws(AVError) {
        guard steady, StillPolicy.isUsable(quality) else { return }
        keep = Self.keep(forPixels: frame.width * frame.height)
        var held: FrozenFrame?
        for (w, window) in windows.enumerated() where window.low <= timestamp && timestamp < window.high {
            let distance = Self.distance(timestamp, window)
            if candidates[w].count >= keep, let farthest = candidates[w].last, Self.distance(farthest.timestamp, window) <= distance { continue }
            // One reference for every window that keeps this frame.
            if held == nil { held = try FrozenFrame(frame) }
            guard let held else { continue }
            let position = candidates[w].firstIndex { Self.distance($0.timestamp, window) > distance } ?? candidates[w].count
            candidates[w].insert(StillCandidate(picture: held, timestamp: timestamp), at: position)
            if candidates[w].count > keep { candidates[w].removeLast() }
        }
    }

    /// Joins the candidates of two parts of the pass, keeping per window the
    /// `keep` nearest its centre (so that parts measured in parallel hold no
    /// more frames between them than one pass would).
    static func merge(_ a: [[StillCandidate]], _ b: [[StillCandidate]], windows: [StillWindow], keep: Int) -> [[StillCandidate]] {
        windows.indices.map { w in
            let both = (w < a.count ? a[w] : []) + (w < b.count ? b[w] : [])
            return Array(both.sorted { distance($0.timestamp, windows[w]) < distance($1.timestamp, windows[w]) }.prefix(keep))
        }
    }

    static func distance(_ timestamp: Int64, _ window: StillWindow) -> Int64 {
        let d = timestamp - window.centre
        return d < 0 ? -d : d
    }

    /// The still for `window` among `candidates` (from every part of the pass):
    /// the one nearest the centre whose next frame is steady too and that is
    /// not within two frames of a segment boundary (`boundaries`: start frames).
    /// Nil when none qualifies: the caller then picks by seeking.
    static func choose(_ candidates: [StillCandidate], in window: StillWindow, measures: FrameMeasures,
                       frameIndex: [Int64: Int], boundaries: [Int]) -> (candidate: StillCandidate, frame: Int)? {
        let ordered = candidates.sorted { distance($0.timestamp, window) < distance($1.timestamp, window) }
        for candidate in ordered {
            guard let index = frameIndex[candidate.timestamp] else { continue }
            if index + 1 < measures.frameCount,
               !StillPolicy.isSteady(measures.qualities[index].brightness, next: measures.qualities[index + 1].brightness) { continue }
            if boundaries.contains(where: { $0 > 0 && abs($0 - index) <= 2 }) { continue }
            return (candidate, index)
        }
        return nil
    }
}

@available(*, unavailable, message: "A StillCollector holds decoded frames of one pass.")
extension StillCollector: Sendable {}
