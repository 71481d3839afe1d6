import Dispatch
import Synchronization

/// Runs a per-frame decision over a range of frames on several cores.
///
/// The decisions after the measuring pass (``SegmentDecider``) run on one thread while the
/// others idle: on a 5 s clip of moving footage the dissolve search alone was about a tenth of
/// the whole `segments` run. Each frame's test reads only the finished measures, so stripes of
/// frames can be taken in turn by `workers` threads and their results put back in frame order:
/// the answer is the same as one thread's.
enum FrameStripes {
    /// `body(frame)` for every frame of `frames`, in order, computed in stripes of `stripe`
    /// frames on up to `workers` threads (one: in the calling thread, in order).
    static func map<T: Sendable>(_ frames: Range<Int>, workers: Int, stripe: Int = 16,
                                 _ body: @Sendable (Int) -> T) -> [T] {
        let stripes = (frames.count + stripe - 1) / stripe
        guard workers > 1, stripes > 1 else { return frames.map(body) }
        let next = Atomic<Int>(0)
        let parts = Mutex<[[T]]>(Array(repeating: [], count: stripes))
        DispatchQueue.concurrentPerform(iterations: min(workers, stripes)) { _ in
            while true {
                let taken = next.add(1, ordering: .relaxed).oldValue
                guard taken < stripes else { return }
                let first = frames.lowerBound + taken * stripe
                let part = (first..<min(frames.upperBound, first + stripe)).map(body)
                parts.withLock { $0[taken] = part }
            }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }
}
