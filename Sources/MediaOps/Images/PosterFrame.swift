import Foundation
import LibAV

/// The `thumbnail` result: the image written and the frame it shows.
public struct PosterImage: Sendable, Hashable, Codable {
    /// The video.
    public var path: String
    /// The image file.
    public var output: String
    /// Presentation time of the frame, seconds from the start of the file.
    public var time: Double
    /// 0-based frame number in presentation order.
    public var frame: Int
    public var width: Int
    public var height: Int
}

/// One poster frame for a video: a good picture (not black, not flat, not
/// blurred, not mid-fade) near the first third, where generated clips have
/// settled past their opening and not yet reached their ending; or exactly
/// the frame shown at a given time.
public enum PosterFrame {
    /// Writes the poster of `path` to `output` (JPEG, or PNG when `output` ends in `.png`).
    /// - Parameters:
    ///   - width: image width; nil for the video's display width.
    ///   - seconds: when given, the frame a player shows at this time, whatever it looks like.
    /// - Throws: ``MediaError``: bad input, a time outside the video (`invalid_range`), bad output.
    public static func write(_ path: String, to output: String, width: Int? = nil, at seconds: Double? = nil) throws(MediaError) -> PosterImage {
        if let width, !(16...8192).contains(width) {
            throw MediaError(path: path, code: .invalidArgument, message: "--width must be between 16 and 8192, not \(width)")
        }
        let format = ImageFormat(name: URL(fileURLWithPath: output).pathExtension) ?? .jpeg
        // Refuse a bad destination before decoding anything.
        _ = try OutputDestination(path: output, inputs: [path])
        let video = try SeekableVideo(path: path)
        let pick: PickedFrame
        if let seconds {
            guard seconds.isFinite, seconds >= 0, seconds < video.durationSeconds else {
                throw MediaError(path: path, code: .invalidRange,
                                 message: String(format: "--at %.3f s is outside the video (0 to %.3f s)", seconds, video.durationSeconds))
            }
            pick = try video.frame(shownAt: video.timestamp(seconds: seconds))
        } else {
            guard let best = try bestPoster(video) else {
                throw MediaError(path: path, code: .corrupt, message: "no frame could be decoded")
            }
            pick = best
        }
        // The frame's number before the image: working it out may read the file again (a survey of its
        // packets), and a damaged file that fails there must leave no image behind.
        let frame = try video.frameIndex(of: pick.timestamp)
        let written = try ImageWriter(format: format, width: width).write(pick.frame, geometry: video.geometry, to: output, inputs: [path])
        return PosterImage(path: path, output: written.path, time: video.seconds(pick.timestamp),
                           frame: frame, width: written.width, height: written.height)
    }

    /// Looks around the first third first; only if everything there is black
    /// or flat does it look at the rest of the video, best part first.
    static func bestPoster(_ video: SeekableVideo) throws(MediaError) -> PickedFrame? {
        if let best = try bestPoster(video, end: video.end) { return best }
        let readable = try video.readableEnd()
        return readable < video.end ? try bestPoster(video, end: readable) : nil
    }

    private static func bestPoster(_ video: SeekableVideo, end: Int64) throws(MediaError) -> PickedFrame? {
        let span = max(1, end - video.origin)
        func at(_ fraction: Double) -> Int64 { video.origin + Int64(Double(span) * fraction) }
        var best: PickedFrame?
        for window in [StillPolicy.poster] + StillPolicy.posterFallbacks {
            guard let pick = try video.bestFrame(from: at(window.low), to: at(window.high), near: at(window.centre),
                                                 searchingOnUntil: at(window.searchingOnUntil)) else { continue }
            if best.map({ better(pick, than: $0) }) ?? true { best = pick }
            if let quality = best?.quality, StillPolicy.isUsable(quality) { break }
        }
        return best
    }
}
