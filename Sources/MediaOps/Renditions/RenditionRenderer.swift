import Foundation
import LibAV

/// Renders renditions of a video: one decode → transform → encode pass through ``ReencodingWriter``
/// (the encoder set-up and packet loop of exact clips), H.264 (or VP9, AV1) + AAC in MP4 with the index (`moov`)
/// before the media (`+faststart`), every frame of the source kept, colour description and
/// rotation (display matrix) carried over, audio re-encoded to AAC.
///
/// ```swift
/// let result = try RenditionRenderer.render(input: "a.mp4", output: "a-portrait.mp4",
///                                           rendition: .reframed(aspect: AspectRatio("9:16")!, fit: .crop,
///                                                                quality: EncodingQuality(crf: 20)))
/// ```
public enum RenditionRenderer {
    /// - Parameters:
    ///   - input: a video file.
    ///   - output: where the MP4 goes (written beside under a temporary name, then renamed).
    ///   - frameBudget: the most bytes of decoded pictures a reframe's analysis keeps for the render
    ///     (``RetainedFrames``); a video that needs more is decoded a second time instead.
    /// - Returns: the rendition's size, frame count and, when reframed, its crop windows.
    /// - Throws: ``MediaError``: the input's problems (not a video, undecodable), bad parameters, libav failures with their message.
    public static func render(input: String, output: String, rendition: Rendition, progress: EditingProgress? = nil,
                              frameBudget: Int = RetainedFrames.defaultBudget) throws(MediaError) -> RenditionResult {
        try rendition.validate(path: input)
        let probe = try MediaProbe.probe(input)
        guard probe.mediaType == "video", probe.video != nil else {
            throw MediaError(path: input, code: .noVideo,
                             message: "is \(probe.mediaType == "image" ? "a still image" : "not a video (\(probe.mediaType))"); a \(rendition.type.rawValue) rendition needs a video")
        }
        let source = try ClipSource(path: input)
        let destination = try OutputDestination(path: output, inputs: [input])
        defer { destination.discardIfUncommitted() }
        do {
            let parameters = source.video.parameters
            let (transform, plan, retained) = try makeTransform(rendition, source: source, path: input, frameBudget: frameBudget)
            let file = try OutputFile(path: destination.temporaryPath, format: "mp4")
            let writer = try ReencodingWriter(source: source, output: file, quality: rendition.quality, transform: transform)
            writer.retained = retained
            try file.writeHeader(options: ["movflags": "+faststart"])
            let start = source.timestamp(seconds: 0)
            let end = source.timestamp(seconds: source.durationSeconds * 2 + 60)
            let range = try writer.run(start: start, end: end, progress: progress)
            try file.finish()
            guard range.frames > 0 else {
                throw MediaError(path: input, code: .corrupt, message: "no video frame could be decoded")
            }
            let duration = max(0, source.seconds(range.end) - source.seconds(range.start))
            let size = (try? FileManager.default.attributesOfItem(atPath: destination.temporaryPath)[.size] as? Int64) ?? nil
            try destination.commit()
            return RenditionResult(
                output: output, type: rendition.type,
                width: transform?.outputWidth ?? parameters.width, height: transform?.outputHeight ?? parameters.height,
                codec: rendition.quality.codec.rawValue, frames: range.frames, durationSec: (duration * 1_000_000).rounded() / 1_000_000,
                bitRate: size.flatMap { duration > 0 ? Int64(Double($0 * 8) / duration) : nil },
                parameters: rendition.parameters, reframe: plan, warnings: writer.warnings)
        } catch let error as MediaError {
            throw error
        } catch let error as AVError {
            throw source.libavError(error)
        } catch {
            throw MediaError(path: input, code: .libav, message: "\(error)")
        }
    }

    /// The picture transform of a rendition (nil when the pictures go to the encoder as decoded) and, when reframed,
    /// its plan and the pictures its analysis decoded (when they fitted in memory), which the render encodes.
    static func makeTransform(_ rendition: Rendition, source: ClipSource, path: String, frameBudget: Int) throws
        -> ((any PictureTransform)?, ReframePlan?, RetainedFrames?) {
        let parameters = source.video.parameters
        let width = parameters.width, height = parameters.height
        let encoder = rendition.quality.encoderName
        let sar = source.video.sampleAspectRatio.isValid ? source.video.sampleAspectRatio
            : (parameters.sampleAspectRatio.isValid ? parameters.sampleAspectRatio : Rational(1, 1))
        // Heights are display heights: a picture turned a quarter shows its coded width as its height.
        let quarterTurned = source.video.rotation % 180 != 0
        let displayLines = quarterTurned ? width : height
        func resized(lines: Int) -> (width: Int, height: Int) {
            let factor = Double(lines) / Double(displayLines)
            return (max(2, Int((Double(width) * factor / 2).rounded()) * 2), max(2, Int((Double(height) * factor / 2).rounded()) * 2))
        }
        func resize(_ size: (width: Int, height: Int), _ algorithm: Scaler.Algorithm) -> ResizeTransform {
            let format = VideoTrackEncoder.encodablePixelFormat(parameters.pixelFormat, width: size.width, height: size.height, encoder: encoder)
            return ResizeTransform(width: size.width, height: size.height, pixelFormat: format, sampleAspectRatio: sar, algorithm: algorithm)
        }
        switch rendition {
        case .compressed(let lines, _):
            // Never larger than the source; odd sizes rounded to even (4:2:0).
            let target = min(lines, displayLines)
            let size = target == displayLines ? (width / 2 * 2, height / 2 * 2) : resized(lines: target)
            if size == (width, height) && VideoTrackEncoder.encodablePixelFormat(parameters.pixelFormat, width: width, height: height, encoder: encoder) == parameters.pixelFormat {
                return (nil, nil, nil)
            }
            return (resize(size, .bicubic), nil, nil)
        case .upscaled(let scale, let lines, let sharpen, _):
            let size: (width: Int, height: Int)
            if let lines {
                guard lines > displayLines else {
                    throw MediaError(path: path, code: .invalidArgument,
                                     message: "--height \(lines) is not larger than the video's \(displayLines) lines; an upscaled rendition must be larger")
                }
                size = resized(lines: lines)
            } else {
                let factor = scale ?? 2
                size = (max(2, Int((Double(width) * factor / 2).rounded()) * 2), max(2, Int((Double(height) * factor / 2).rounded()) * 2))
            }
            guard size.width <= 16384, size.height <= 16384 else {
                throw MediaError(path: path, code: .invalidArgument, message: "an upscaled picture of \(size.width)x\(size.height) is too large (at most 16384 a side)")
            }
            let resized = resize(size, .lanczos)
            if sharpen > 0 { resized.sharpening = UnsharpMask(amount: sharpen) }
            return (resized, nil, nil)
        case .reframed(let aspect, let fit, _):
            // The window's shape is the display shape turned back into the coded picture's orientation.
            let codedAspect = quarterTurned ? 1 / aspect.value : aspect.value
            let format = VideoTrackEncoder.encodablePixelFormat(parameters.pixelFormat, width: 2, height: 2, encoder: encoder)
            switch fit {
            case .pad:
                let shortSide = min(width, height) / 2 * 2
                let canvas = codedAspect >= 1 ? (Int((Double(shortSide) * codedAspect / 2).rounded()) * 2, shortSide)
                    : (shortSide, Int((Double(shortSide) / codedAspect / 2).rounded()) * 2)
                let display = Double(width) * sar.doubleValue / Double(height)
                var fitted = (canvas.0, Int((Double(canvas.0) / display / 2).rounded()) * 2)
                if fitted.1 > canvas.1 { fitted = (Int((Double(canvas.1) * display / 2).rounded()) * 2, canvas.1) }
                return (PadTransform(canvasWidth: canvas.0, canvasHeight: canvas.1, fittedWidth: max(2, fitted.0),
                                     fittedHeight: max(2, fitted.1), pixelFormat: format), nil, nil)
            case .crop:
                let crop = ReframePlanner.cropSize(width: width, height: height, sampleAspect: sar.doubleValue, aspect: codedAspect)
                // The window needs each whole shot measured before the shot's first frame is encoded; the
                // analysis keeps its decoded pictures (memory permitting) so the render need not decode again.
                let retained = RetainedFrames(budget: frameBudget)
                let analysed = try VideoAnalyzer.analyzeKeepingMeasures(path: path, retaining: retained)
                let plan = ReframePlanner.plan(measures: analysed.measures, shotStarts: analysed.analysis.segments.map(\.startFrame),
                                               fps: analysed.analysis.fps, sourceWidth: width, sourceHeight: height,
                                               cropWidth: crop.width, cropHeight: crop.height, aspect: aspect.description)
                let transform = CropTransform(plan: plan, sourceFormat: parameters.pixelFormat, pixelFormat: format, sampleAspectRatio: sar)
                return (transform, plan, retained.overflowed ? nil : retained)
            }
        }
    }
}
