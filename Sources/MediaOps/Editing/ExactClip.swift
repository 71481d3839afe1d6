import LibAV

/// `clip --mode exact`: decode from the keyframe before the start, re-encode
/// exactly the frames shown in `[start, end)` with libx264 (same size, frame
/// timing, pixel format, aspect, rotation and colour description), and the
/// audio as AAC trimmed to the same range to the sample.
enum ExactClip {
    static func write(source: ClipSource, request: ClipRequest, to path: String, progress: EditingProgress?) throws(MediaError) -> ClipResult {
        let start = source.timestamp(seconds: request.start)
        let end = source.timestamp(seconds: request.end)
        // Only the entry point is needed: scan just past the start.
        let entry = try VideoRangeScan.scan(source, start: start, end: start + 1, detectIDR: false)
        do {
            let output = try OutputFile(path: path)
            let codecs = try ReencodedCodecs.choose(for: output, quality: request.quality, withSound: source.input.bestStream(.audio) != nil,
                                                    path: request.output)
            let writer = try ReencodingWriter(source: source, output: output, quality: codecs.quality, sound: codecs.sound)
            do {
                try output.writeHeader(options: CopyClip.muxerOptions(output: output, source: source, editList: false))
            } catch {
                // The container refuses what it was given (libav cannot always say beforehand: Ogg, GIF): the output's.
                throw ReencodedCodecs.refusal(output, path: request.output, error)
            }
            try VideoRangeScan.seek(source, to: entry.seekTarget)
            let range = try writer.run(start: start, end: end, progress: progress)
            try output.finish()
            guard range.frames > 0 else {
                throw MediaError(path: source.path, code: .invalidRange, message: "no video frame is shown between \(secondsText(request.start)) s and \(secondsText(request.end)) s")
            }
            return ClipResult(output: request.output, mode: .exact, requested: .init(start: request.start, end: request.end),
                              actual: PresentedRange(start: source.seconds(range.start), end: source.seconds(range.end), frames: range.frames),
                              fallback: nil, warnings: writer.warnings)
        } catch let error as MediaError {
            throw error
        } catch let error as AVError {
            throw source.libavError(error)
        } catch {
            throw MediaError(path: source.path, code: .libav, message: "\(error)")
        }
    }
}
