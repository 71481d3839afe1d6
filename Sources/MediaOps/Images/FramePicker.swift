import LibAV

/// The frame-choosing strategies, over a ``SeekableVideo``.
enum FramePicker {
    /// `count` good frames, one in each of `count` equal parts of the video,
    /// each as near the middle of its part as a good picture allows.
    static func uniform(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let (picked, complete) = try uniform(video, count: count, end: video.end)
        if complete { return picked }
        // A part without any frame: the file holds less than its header says. Spread over what it holds.
        let readable = try video.readableEnd()
        guard readable < video.end else { return picked }
        return try uniform(video, count: count, end: readable).picked
    }

    private static func uniform(_ video: SeekableVideo, count: Int, end: Int64) throws(MediaError) -> (picked: [PickedFrame], complete: Bool) {
        let span = max(1, end - video.origin)
        var complete = true
        var picked: [PickedFrame] = []
        func at(_ fraction: Double) -> Int64 { video.origin + Int64(Double(span) * fraction) }
        for part in 0..<count {
            let window = StillPolicy.keyframe(part, of: count)
            guard let pick = try video.bestFrame(from: at(window.low), to: at(window.high), near: at(window.centre),
                                                 searchingOnUntil: at(window.searchingOnUntil)) else {
                complete = false
                continue
            }
            // Very short videos have fewer frames than parts: never the same frame twice.
            if picked.contains(where: { $0.timestamp == pick.timestamp }) { continue }
            picked.append(pick)
        }
        return (picked.sorted { $0.timestamp < $1.timestamp }, complete)
    }

    /// `count` of the container's keyframes, spread evenly over them, decoding
    /// keyframes only (`skip_frame=nokey`): no other frame is decoded.
    static func keyframes(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let all = try video.keyframeTimestamps()
        guard !all.isEmpty else { return try uniform(video, count: count) }
        let chosen: [Int64] = all.count <= count
            ? all
            : (0..<count).map { all[min(all.count - 1, (2 * $0 + 1) * all.count / (2 * count))] }
        var picked: [PickedFrame] = []
        for timestamp in chosen {
            let found = try keyframe(video, at: timestamp)
            if let found, !picked.contains(where: { $0.timestamp == found.timestamp }) { picked.append(found) }
        }
        // No keyframe is shown at all (an edit list hides the only one): fall back to evenly spread frames.
        if picked.isEmpty { return try uniform(video, count: count) }
        return picked.sorted { $0.timestamp < $1.timestamp }
    }

    /// The keyframe at `timestamp`, decoded alone (`skip_frame=nokey`); when the
    /// decoder will not call it a keyframe (H.264 I-frames without IDR or
    /// recovery point, flagged as random access by the container only), it is
    /// decoded normally as the first frame from the seek.
    private static func keyframe(_ video: SeekableVideo, at timestamp: Int64) throws(MediaError) -> PickedFrame? {
        for keyframesOnly in [true, false] {
            video.keyframesOnly = keyframesOnly
            defer { video.keyframesOnly = false }
            var found: PickedFrame?
            var keepError: MediaError?
            try video.decode(from: timestamp, mustStartBefore: false) { (frame: Frame, time: Int64) throws(MediaError) -> Bool in
                // A keyframe shown later than the index said can make the seek land one
                // keyframe early; walk on to the one wanted.
                if time < timestamp - video.frameDuration / 2 { return true }
                if keyframesOnly && !(frame.isKeyframe || frame.pictureType == "I") { return true }
                do throws(AVError) { found = PickedFrame(frame: try frame.clone(), timestamp: time, quality: nil) } catch {
                    keepError = MediaError(path: video.path, libav: error)
                }
                return false
            }
            if let keepError { throw keepError }
            if let found { return found }
        }
        return nil
    }

    /// One frame per shot: the analysis engine's segments (one decode pass) and
    /// each segment's representative frame (the sharpest, best exposed one away
    /// from its transitions), at most `count` of them (the longest segments).
    static func scenes(_ video: SeekableVideo, count: Int) throws(MediaError) -> [PickedFrame] {
        let analysis = try VideoAnalyzer.analyze(path: video.path)
        let kept = analysis.segments
            .sorted { ($0.endTime - $0.startTime) > ($1.endTime - $1.startTime) }
            .prefix(count)
            .sorted { $0.startTime < $1.startTime }
        var picked: [PickedFrame] = []
        for segment in kept where !analysis.frames.isEmpty {
            let frame = analysis.frames[min(max(0, segment.representativeFrame), analysis.frames.count - 1)]
            picked.append(try video.frame(shownAt: frame.timestamp))
        }
        return picked
    }
}
