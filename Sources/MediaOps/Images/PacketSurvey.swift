import LibAV

/// What one demux pass over a video stream tells without decoding: every
/// shown packet's presentation time, the keyframes' times and where the
/// frames end. Needed for containers that keep no complete index (Matroska,
/// MPEG-TS, raw streams) and for files whose header promises more than they hold.
struct PacketSurvey {
    /// Presentation times of the packets that are shown (not discarded), sorted.
    let timestamps: [Int64]
    /// Presentation times of keyframe packets, sorted.
    let keyframes: [Int64]
    /// The end of the last frame read (its time plus its duration), nil when no packet had a time.
    let end: Int64?

    /// Reads the packets of `streamIndex` from a fresh open of `path` (so the
    /// caller's own file keeps its position), stopping quietly at a damaged tail.
    /// - Parameter frameDuration: the clock step for raw streams, whose packets carry no times at all:
    ///   they get `n * frameDuration` (or their own durations, summed), as a player would show them.
    init(path: String, streamIndex: Int, frameDuration: Int64) throws(MediaError) {
        // Stream info too: FLV and MPEG-PS streams only appear once packets are probed.
        let input = try InputValidation.openWithStreamInfo(path)
        guard input.streams.count > streamIndex else {
            throw MediaError(path: path, code: .corrupt, message: "video stream missing on reopening")
        }
        input.selectStreams([streamIndex])
        var times: [Int64] = [], keys: [Int64] = []
        var end: Int64?
        var clock: Int64 = 0
        do {
            let packet = try Packet()
            while true {
                packet.unreference()
                let result: ReadResult
                do { result = try input.read(into: packet) } catch where error.isInvalidData || error.isEndOfFile { break }
                if result == .endOfFile { break }
                guard packet.streamIndex == streamIndex, !packet.isDiscard else { continue }
                var shown = packet.pts != Timestamp.none ? packet.pts : packet.dts
                if shown == Timestamp.none { shown = clock }
                clock = shown + (packet.duration > 0 ? packet.duration : frameDuration)
                times.append(shown)
                if packet.isKeyframe { keys.append(shown) }
                end = max(end ?? shown, shown + max(1, packet.duration))
            }
        } catch {
            throw MediaError(path: path, libav: error)
        }
        timestamps = times.sorted()
        keyframes = keys.sorted()
        self.end = end
    }

    /// How many shown frames come before `timestamp`: the presentation-order index of the frame shown from it.
    func framesShown(before timestamp: Int64) -> Int {
        var low = 0, high = timestamps.count
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
