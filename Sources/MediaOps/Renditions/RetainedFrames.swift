import Foundation
import LibAV

/// The decoded pictures of a video kept from its analysis pass so that the render after it need
/// not decode them again: a reframed rendition must know the whole of each shot before it places
/// the shot's first window, and decoding twice was a third of its time (issue 12).
///
/// Pictures are kept by reference (`av_frame_ref`: the decoder's buffers, not copies) up to a
/// byte budget; a video larger than that is not kept at all (``overflowed``), and the render
/// decodes it again as before. Generated clips are short: at the default budget of 1 GiB (or an
/// eighth of the memory, when less) a 720p clip of 25 s at 30 fps fits, a 1080p one of 11 s.
public final class RetainedFrames {
    /// The most bytes of pictures kept.
    let budget: Int
    /// True once the pictures did not fit: none are kept, and ``next()`` gives nothing.
    private(set) var overflowed = false
    private var frames: [Frame?] = []
    private var cursor = 0
    private var bytes = 0

    /// The default budget: 1 GiB, or an eighth of the machine's memory when that is less.
    public static var defaultBudget: Int {
        min(1 << 30, Int(clamping: ProcessInfo.processInfo.physicalMemory / 8))
    }

    init(budget: Int = RetainedFrames.defaultBudget) {
        self.budget = budget
    }

    /// Keeps a reference to `frame` (whose buffers the caller may then release), unless the
    /// budget is spent, in which case everything kept so far is let go.
    func keep(_ frame: Frame) throws(AVError) {
        guard !overflowed else { return }
        let size = Self.byteSize(of: frame)
        guard bytes + size <= budget else {
            overflowed = true
            frames = []
            bytes = 0
            return
        }
        frames.append(try frame.clone())
        bytes += size
    }

    /// How many pictures are kept (and not yet taken).
    var count: Int { overflowed ? 0 : frames.count - cursor }

    /// The next kept picture in decode (presentation) order, released from this store: nil when
    /// all were taken.
    func next() -> Frame? {
        guard !overflowed, cursor < frames.count else { return nil }
        defer { frames[cursor] = nil; cursor += 1 }
        return frames[cursor]
    }

    /// The bytes of a picture's planes (line size times rows, chroma rows subsampled).
    static func byteSize(of frame: Frame) -> Int {
        let format = frame.pixelFormat
        var total = 0
        for plane in 0..<max(1, format.planeCount) {
            let rows = plane == 0 || plane == 3 ? frame.height : (frame.height + (1 << format.chromaShift.y) - 1) >> format.chromaShift.y
            total += frame.lineSize(plane: plane) * rows
        }
        return total
    }
}

@available(*, unavailable, message: "RetainedFrames holds libav frames that must stay in one task.")
extension RetainedFrames: Sendable {}
