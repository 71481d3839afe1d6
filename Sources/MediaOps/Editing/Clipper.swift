import Foundation
import LibAV

/// Cuts a time range out of a media file: `copy`, `exact` or `smart`
/// (see ``ClipMode``). The output is written beside its final path and
/// renamed into place only when complete.
///
/// ```swift
/// let result = try Clipper.clip(ClipRequest(input: "in.mp4", output: "out.mp4", start: 2, end: 5, mode: .smart)) { fraction in
///     print(fraction)
/// }
/// ```
public enum Clipper {
    /// - Parameters:
    ///   - request: input, output, range, mode and quality.
    ///   - progress: called now and then with the fraction of the range written.
    /// - Returns: what was written, with the range it really presents.
    /// - Throws: ``MediaError`` for bad input (missing file, no video, a range
    ///   outside the media, `start >= end`), a bad output path, or a libav failure.
    public static func clip(_ request: ClipRequest, progress: EditingProgress? = nil) throws(MediaError) -> ClipResult {
        if request.mode != .copy { try request.quality.validate(path: request.input) }
        let source = try ClipSource(path: request.input)
        try source.validate(start: request.start, end: request.end)
        let destination = try OutputDestination(path: request.output, inputs: [request.input])
        defer { destination.discardIfUncommitted() }
        var result: ClipResult
        switch request.mode {
        case .copy:
            result = try CopyClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
        case .exact:
            result = try ExactClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
        case .smart:
            do {
                result = try SmartClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
            } catch let refusal as SmartClip.Refusal {
                try? FileManager.default.removeItem(atPath: destination.temporaryPath)
                let again = try ClipSource(path: request.input)
                result = try ExactClip.write(source: again, request: request, to: destination.temporaryPath, progress: progress)
                result.fallback = refusal.reason
            } catch let error as MediaError {
                throw error
            } catch let error as AVError {
                throw source.libavError(error)
            } catch {
                throw MediaError(path: request.input, code: .libav, message: "\(error)")
            }
        }
        try destination.commit()
        result.output = request.output
        progress?(1)
        return result
    }
}
