import LibAV

/// The frame-choosing strategies, over a ``SeekableVideo``.
enum FramePicker {
    /// `count` good frames, one in each of `count` equal parts of the video,
    /// each as near the middle of its part as a good picture allows.
    static func uniform(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let span = video.end - video.origin
        var picked: [PickedFrame] = []
        for part in 0..<count {
            let low = video.origin + span * Int64(part) / Int64(count)
            let high = video.origin + span * Int64(part + 1) / Int64(count)
            guard let pick = try video.bestFrame(from: low, to: high, near: (low + high) / 2,
                                                 searchingOnUntil: min(video.end, high + (high - low))) else { continue }
            // Very short videos have fewer frames than parts: never the same frame twice.
            if picked.contains(where: { $0.timestamp == pick.timestamp }) { continue }
            picked.append(pick)
        }
        return picked.sorted { $0.timestamp < $1.timestamp }
    }

    /// `count` of the container's keyframes, spread evenly over them, decoding
    /// keyframes only (`skip_frame=nokey`): no other frame is decoded.
    static func keyframes(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let all = try video.keyframeTimestamps()
        guard !all.isEmpty else { return [] }
        let chosen: [Int64] = all.count <= count
            ? all
            : (0..<count).map { all[min(all.count - 1, (2 * $0 + 1) * all.count / (2 * count))] }
        video.reader.decoder.setKeyframesOnly(true)
        defer { video.reader.decoder.setKeyframesOnly(false) }
        var picked: [PickedFrame] = []
        for timestamp in chosen {
            var found: PickedFrame?
            var keepError: MediaError?
            try video.decode(from: timestamp, mustStartBefore: false) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
                guard frame.isKeyframe || frame.pictureType == "I" else { return true }
                // A keyframe shown later than the index said can make the seek land one
                // keyframe early; only keyframes are decoded, so walking on is cheap.
                if time < timestamp - video.frameDuration { return true }
                do throws(AVError) { found = PickedFrame(frame: try frame.clone(), timestamp: time, quality: nil) } catch {
                    keepError = MediaError(path: video.path, libav: error)
                }
                return false
            }
            if let keepError { throw keepError }
            if let found, !picked.contains(where: { $0.timestamp == found.timestamp }) { picked.append(found) }
        }
        return picked.sorted { $0.timestamp < $1.timestamp }
    }

    /// One frame per shot, the best-scored of each, at most `count` (the longest shots).
    static func scenes(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let shots = try ShotScanner.scan(video)
        let kept = shots.sorted { ($0.end - $0.start) > ($1.end - $1.start) }.prefix(count).sorted { $0.start < $1.start }
        var picked: [PickedFrame] = []
        for shot in kept {
            picked.append(try video.frame(shownAt: shot.bestTimestamp))
        }
        return picked
    }
}
