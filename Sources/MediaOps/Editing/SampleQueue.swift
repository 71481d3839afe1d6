import LibAV

/// The sound an ``AudioTrackEncoder`` holds until the pictures catch up with it: decoded samples in
/// order, with the runs of silence between them (gaps in a track's timestamps, the time before its
/// sound starts) counted rather than stored, and written out only as the encoder takes them.
///
/// Sound is queued as it is decoded but encoded only as far as the pictures reach (the track is cut to
/// them at the end), and a gap's silence has to wait in line before the samples after it. Stored, an
/// hour's gap is 1.4 GB of stereo zeros, and a damaged timestamp can make a gap of days.
final class SampleQueue {
    /// The decoded samples of `runs`, in order.
    private let stored: AudioFIFO
    /// Where a read is put together from the runs at the front (empty between reads).
    private let staging: AudioFIFO
    private enum Run {
        case silence(Int64)
        case samples(Int64)

        var length: Int64 {
            switch self {
            case .silence(let length), .samples(let length): length
            }
        }

        func resized(_ length: Int64) -> Run {
            switch self {
            case .silence: .silence(length)
            case .samples: .samples(length)
            }
        }
    }
    /// What waits, in order.
    private var runs: [Run] = []

    init(format: SampleFormat, layout: ChannelLayout, sampleRate: Int) throws(AVError) {
        stored = try AudioFIFO(format: format, layout: layout, sampleRate: sampleRate)
        staging = try AudioFIFO(format: format, layout: layout, sampleRate: sampleRate)
    }

    /// Samples per channel waiting, silence included.
    private(set) var count: Int64 = 0

    /// Appends the samples of `frame` (in the queue's format).
    func write(_ frame: Frame) throws(AVError) {
        guard frame.sampleCount > 0 else { return }
        try stored.write(frame)
        append(.samples(Int64(frame.sampleCount)))
    }

    /// Appends `samples` samples of silence (counted: nothing is written until it is read).
    func writeSilence(samples: Int64) {
        if samples > 0 { append(.silence(samples)) }
    }

    private func append(_ run: Run) {
        switch (runs.last, run) {
        case (.silence(let last)?, .silence(let added)): runs[runs.count - 1] = .silence(last + added)
        case (.samples(let last)?, .samples(let added)): runs[runs.count - 1] = .samples(last + added)
        default: runs.append(run)
        }
        count += run.length
    }

    /// Removes up to `samples` samples from the front into a new frame.
    func read(samples: Int) throws(AVError) -> Frame {
        while staging.count < samples, let head = runs.first {
            let taken = min(head.length, Int64(samples - staging.count))
            switch head {
            case .silence: try staging.writeSilence(samples: Int(taken))
            case .samples: try staging.write(try stored.read(samples: Int(taken)))
            }
            count -= taken
            if taken == head.length { runs.removeFirst() } else { runs[0] = head.resized(head.length - taken) }
        }
        return try staging.read(samples: samples)
    }

    /// Drops everything after the first `total` samples.
    func keepFirst(_ total: Int64) throws(AVError) {
        guard total < count else { return }
        var left = max(0, total), storedKept: Int64 = 0
        var kept: [Run] = []
        for run in runs where left > 0 {
            let length = min(run.length, left)
            kept.append(run.resized(length))
            if case .samples = run { storedKept += length }
            left -= length
        }
        if storedKept < stored.count {
            let queued = try stored.read(samples: stored.count)
            if storedKept > 0 {
                queued.sampleCount = Int(storedKept)
                try stored.write(queued)
            }
        }
        runs = kept
        count = max(0, total)
    }
}

@available(*, unavailable, message: "A SampleQueue owns libav objects that must stay in one task.")
extension SampleQueue: Sendable {}
