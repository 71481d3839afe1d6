import Foundation
import Logging
import LibAV

/// What to look for in ``VideoAnalyzer/analyze(path:options:)``.
public struct AnalysisOptions: Sendable, Hashable {
    /// Smallest picture change (mean absolute difference of the small pictures,
    /// 0-255 scale) that can be a hard cut. Lower finds more cuts.
    public var threshold: Double = 20
    /// Shortest segment in seconds: a boundary closer than this to the previous one is dropped.
    public var minimumLength: Double = 0.5
    /// Cores to decode and measure on; 0: all of them. A batch running several
    /// analyses at once gives each its share (1: one sequential, single-threaded pass).
    public var threads: Int = 0
    /// Also look for seamless loops (``VideoAnalysis/loops``), from the same measures.
    public var loops: LoopSearch?

    public init(threshold: Double = 20, minimumLength: Double = 0.5, threads: Int = 0, loops: LoopSearch? = nil) {
        self.threshold = threshold
        self.minimumLength = minimumLength
        self.threads = threads
        self.loops = loops
    }
}

/// The one-pass analysis engine: decodes the video once (no loop filter:
/// analysis does not need bit-exact pictures; keyframe-aligned chunks on every
/// core where the container allows, see ``ChunkedMeasuring``), shrinks every
/// frame once, measures it, and finally decides segments, transitions and
/// their features from the stored measures.
///
/// ```swift
/// let analysis = try VideoAnalyzer.analyze(path: "clip.mp4")
/// for segment in analysis.segments { print(segment.startFrame, segment.transitionIn) }
/// ```
public enum VideoAnalyzer {
    /// - Throws: ``MediaError``: the input's problems (missing, not media, truncated,
    ///   no video, undecodable codec, nothing decodable).
    public static func analyze(path: String, options: AnalysisOptions = AnalysisOptions()) throws(MediaError) -> VideoAnalysis {
        try run(path: path, options: options, stills: nil).analysis
    }

    /// Analyses the video and, from the same decode, writes the stills asked
    /// for: a poster and uniform keyframes chosen as ``PosterFrame`` and
    /// ``KeyframeExtractor`` choose them (good, steady pictures near the first
    /// third and the middles of N parts). A still the pass could not provide
    /// (every frame near its place is dark, flat or changing) is nil in the
    /// result, and the caller makes it by seeking instead.
    ///
    /// The pictures come from the analysis decode, which skips the loop filter;
    /// on the samples they differ from fully filtered ones by 42 to 57 dB PSNR,
    /// invisible at thumbnail sizes.
    /// - Throws: ``MediaError`` as ``analyze(path:options:)``, and for outputs that cannot be written.
    public static func analyze(path: String, options: AnalysisOptions = AnalysisOptions(),
                               stills: StillsRequest) throws(MediaError) -> (analysis: VideoAnalysis, stills: AnalysisStills) {
        let result = try run(path: path, options: options, stills: stills)
        return (result.analysis, result.stills)
    }

    /// The analysis and the per-frame measures it was decided from (reframing reads the tiny
    /// luma pictures of every frame to find where the subject is, without decoding again).
    /// With `retaining`, the pass also keeps the decoded pictures for the render that follows
    /// (``RetainedFrames``): it then decodes in one sequence, with the loop filter on, as the render would.
    static func analyzeKeepingMeasures(path: String, options: AnalysisOptions = AnalysisOptions(),
                                       retaining: RetainedFrames? = nil) throws(MediaError) -> (analysis: VideoAnalysis, measures: FrameMeasures) {
        let result = try run(path: path, options: options, stills: nil, retaining: retaining)
        return (result.analysis, result.measures)
    }

    private static func run(path: String, options: AnalysisOptions, stills: StillsRequest?,
                            retaining: RetainedFrames? = nil) throws(MediaError) -> (analysis: VideoAnalysis, stills: AnalysisStills, measures: FrameMeasures) {
        // The probe refuses truncated files and codecs this FFmpeg cannot decode
        // with a clear reason, for the cost of reading the header and index.
        let (probe, decoded) = try MediaProbe.probeDescribing(path)
        if let video = probe.video, !video.decodable {
            throw MediaError(path: path, code: .unsupportedCodec, message: "no decoder for video codec '\(video.codec)' in this FFmpeg")
        }
        // Opened as the probe opens (stream info from the headers, no decoding):
        // the frames are decoded once, by the pass itself.
        let input = try MediaProbe.openDescribed(path, knowing: decoded).input
        guard let stream = input.bestStream(.video) else {
            throw MediaError(path: path, code: .noVideo, message: "no video stream")
        }
        let parameters = stream.parameters
        let timeBase = stream.timeBase
        let geometry = PictureGeometry(stream: stream)
        let rotation = stream.rotation
        let averageRate = stream.averageFrameRate.isValid ? stream.averageFrameRate : stream.realFrameRate
        let fileStart = input.startTime.map { rescale($0, from: .microseconds, to: timeBase) }
        let windows = stills.map { StillPlan(request: $0, duration: probe.video?.durationSec ?? probe.durationSec ?? 0,
                                             origin: fileStart ?? 0, timeBase: timeBase) }
        let measured = try measure(path: path, input: input, stream: stream, decoded: decoded, width: parameters.width, height: parameters.height,
                                   threads: options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount,
                                   stillWindows: windows?.windows ?? [], retaining: retaining)
        let measures = measured.measures
        // Time zero is the file's start (players, ffmpeg -ss), never after the first frame.
        var origin = measures.timestamps.first ?? 0
        if let fileStart { origin = min(origin, fileStart) }
        // A track whose time scale was 0 in the file (FFmpeg reads 1) counts its timestamps in whole seconds:
        // they mean nothing, and the probe measured the rate from the listed frames over the stream's duration
        // (``MediaProbe/repairedFrameRate(_:timeBase:streamDuration:)``). Frames are then timed by their
        // number at that rate, so `segments` says what `probe` says.
        let repairedRate: Double? = {
            guard let fps = probe.video?.fps, fps > 0, averageRate.isValid else { return nil }
            return MediaProbe.damagedTiming(timeBase: timeBase, statedRate: averageRate.doubleValue, frameRate: fps) ? fps : nil
        }()
        let fallbackDuration = repairedRate.map { 1 / $0 } ?? (averageRate.isValid ? 1 / averageRate.doubleValue : 1.0 / 25)
        let times: (starts: [Double], ends: [Double])
        if let repairedRate {
            let starts = (0..<measures.frameCount).map { Double($0) / repairedRate }
            times = (starts, starts.map { $0 + 1 / repairedRate })
        } else {
            times = measures.times(origin: origin, timeBase: timeBase, fallbackFrameDuration: fallbackDuration)
        }
        let decider = SegmentDecider(measures: measures, times: times, options: options, rotation: rotation)
        let segments = decider.segments()
        let duration = max(0, times.ends.last.map { $0 - (times.starts.first ?? 0) } ?? 0)
        // Frames the index lists that could not be decoded (damaged data): the rate is the stream's, as the
        // probe reports it, not the frames that survived over the duration. Counted only when the decoder
        // rejected packets: an edit list also leaves listed frames out (on purpose, not damage).
        let listed = probe.video?.frameCount ?? 0
        let lost = measured.damagedPackets > 0 ? max(0, listed - measures.frameCount) : 0
        let fps: Double
        if let repairedRate {
            fps = repairedRate
        } else if lost > 0, let declared = probe.video?.fps, declared > 0 {
            fps = declared
        } else {
            fps = measures.frameCount > 1 && duration > 0 ? Double(measures.frameCount) / duration : (averageRate.isValid ? averageRate.doubleValue : 0)
        }
        var warnings: [String] = []
        if lost > 0 { warnings.append("damaged data: \(lost) of \(listed) frames could not be decoded; the analysis covers the \(measures.frameCount) that could") }
        if let skipped = DamagedDataWarning.packetsSkipped(measured.damagedPackets) { warnings.append(skipped) }
        if let repairedRate {
            warnings.append(String(format: "the track's timing is damaged (a time scale of 0): frames are timed by their number at %.3f fps", repairedRate))
            if lost == 0 && measures.frameCount < listed {
                warnings.append("the track's timing is damaged: \(measures.frameCount) of the \(listed) frames its index lists could be decoded; the analysis covers those")
            }
        }
        let frames = (0..<measures.frameCount).map { i in
            AnalyzedFrame(timestamp: measures.timestamps[i], time: times.starts[i], quality: measures.qualities[i])
        }
        let analysis = VideoAnalysis(path: path, fps: (fps * 1000).rounded() / 1000, frameCount: measures.frameCount,
                                     durationSec: (duration * 1_000_000).rounded() / 1_000_000,
                                     segments: segments, frames: frames,
                                     timeBase: (timeBase.numerator, timeBase.denominator), originTimestamp: origin,
                                     damagedPackets: measured.damagedPackets,
                                     loops: options.loops.map { LoopFinder.find(measures, starts: times.starts, ends: times.ends, search: $0) } ?? [],
                                     warnings: warnings)
        guard let stills, let windows else { return (analysis, AnalysisStills(), measures) }
        let written = try windows.write(stills, candidates: measured.stills, measures: measures, times: times.starts,
                                        boundaries: segments.map(\.startFrame), geometry: geometry, path: path)
        return (analysis, written, measures)
    }

    /// Decodes and measures every frame once: in keyframe-aligned chunks on
    /// `threads` cores when the container's index allows (``ChunkedMeasuring``),
    /// else in one sequential pass with libav's own threads.
    private static func measure(path: String, input: InputFile, stream: MediaStream, decoded: MediaProbe.DecodedStreamInfo,
                                width: Int, height: Int,
                                threads: Int, stillWindows: [StillWindow], retaining: RetainedFrames? = nil) throws(MediaError) -> MeasuredVideo {
        var input = input, stream = stream
        let clock = ContinuousClock()
        let started = clock.now
        // Why the video is decoded in one pass, for the log.
        var onePass = threads > 1 ? "the pictures kept for the render come from one decoder, in order" : "one core"
        // Pictures kept for a render come from one decoder in order (its frame threads use the cores).
        if threads > 1 && retaining == nil {
            let plan = ChunkedMeasuring.plan(path: path, input: input, streamIndex: stream.index,
                                             parts: ChunkedMeasuring.chunksPerWorker * threads)
            if let chunked = ChunkedMeasuring.measure(path: path, streamIndex: stream.index, decoded: decoded, chunks: plan.chunks,
                                                      width: width, height: height, workers: threads, stillWindows: stillWindows),
               chunked.measures.frameCount > 0 {
                return chunked
            }
            onePass = plan.chunks.count > 1 ? "its chunks did not join" : "the index has no keyframe to split the work at"
            if plan.movedInput {
                // The planning moved the demuxer: the sequential pass starts afresh.
                let index = stream.index
                input = try MediaProbe.openDescribed(path, knowing: decoded).input
                do { stream = try input.stream(at: index) } catch { throw MediaError(path: path, code: .noVideo, message: "no video stream") }
            }
        }
        var decoderOptions = DecoderOptions()
        // The analysis picture is tiny: deblocking changes nothing in it. Kept pictures are encoded, and need it.
        decoderOptions.skipLoopFilter = retaining == nil
        // One frame thread per core rather than libavcodec's automatic count (a core more): the thread
        // that feeds the decoder also measures every frame, and an extra decoding thread only takes
        // turns with it. Measured on 5 s clips of one GOP each (the files that take this path most;
        // medians of 11 paired runs on 2 cores, the same binary before and after), time with one per
        // core over time with the automatic count: H.264 720p 0.87, 1080p 0.94; HEVC 1080p 0.93; VP9
        // 720p 0.96, 1080p 0.89 (earlier sets of 9-15 runs: 0.91-0.98, 0.92-0.99, 0.95-0.97).
        // Capped where libavcodec caps its own count.
        decoderOptions.threadCount = min(threads, 16)
        let reader: FrameReader
        do { reader = try FrameReader(input: input, stream: stream, options: decoderOptions) } catch {
            throw MediaError(path: path, libav: error)
        }
        let pass = MeasuringPass(sourceWidth: width, sourceHeight: height, stillWindows: stillWindows)
        var firstError: AVError?
        while true {
            let frame: Frame?
            do { frame = try reader.nextFrame() } catch {
                // A failure mid-stream after good frames: keep what was decoded, like a player.
                firstError = error
                break
            }
            guard let frame else { break }
            do {
                try pass.measure(frame, timestamp: reader.presentationTimestamp(of: frame))
                try retaining?.keep(frame)
            } catch {
                firstError = error
                break
            }
        }
        guard pass.frameCount > 0 else {
            if let damage = firstError ?? reader.firstDamage { throw MediaError(path: path, libav: damage) }
            throw MediaError(path: path, code: .corrupt, message: "no video frame could be decoded")
        }
        AnalysisLog.logger.debug("decoded in one pass", metadata: [
            "file": AnalysisLog.file(path), "why": "\(onePass)", "decoder": "\(reader.decoderName)", "threads": "\(decoderOptions.threadCount)",
            "frames": "\(pass.frameCount)", "seconds": AnalysisLog.seconds(clock.now - started),
        ])
        // A failure that ended the pass early is damage too: the result says frames may be missing.
        return MeasuredVideo(measures: pass.measures, damagedPackets: reader.damagedPackets + (firstError == nil ? 0 : 1),
                             firstDamage: reader.firstDamage ?? firstError, stills: pass.stills?.candidates ?? [])
    }
}
