import Foundation
import LibAV

/// Writes one picture per segment (its representative frame) as
/// `seg_000.jpg`, `seg_001.jpg`, ... into a folder, upright and at a modest width.
/// Each image costs a seek and the decode of part of one GOP, not a second full pass.
public enum SegmentThumbnails {
    /// - Returns: the analysis with each segment's `thumbnail` path filled in.
    /// - Throws: ``MediaError`` for an unwritable folder (or one whose parent is missing) or an undecodable frame.
    public static func write(_ analysis: VideoAnalysis, into folder: String, width: Int = 480) throws(MediaError) -> VideoAnalysis {
        var result = analysis
        let video = try SeekableVideo(path: analysis.path)
        let geometry = PictureGeometry(stream: video.stream)
        let writer = ImageWriter(format: .jpeg, width: width)
        // Created when missing (as `keyframes --out` is); all images or none.
        let output = try OutputFolder(path: folder, input: analysis.path)
        do throws(MediaError) {
            for (position, segment) in analysis.segments.enumerated() {
                let frameIndex = min(max(0, segment.representativeFrame), analysis.frames.count - 1)
                let picked = try video.frame(shownAt: analysis.frames[frameIndex].timestamp)
                let name = "seg_\(KeyframeExtractor.threeDigits(segment.index)).jpg"
                let written = try writer.write(picked.frame, geometry: geometry, to: output.file(name), inputs: [analysis.path])
                output.note(written.path)
                result.segments[position].thumbnail = written.path
            }
            output.keep()
        } catch {
            output.discard()
            throw error
        }
        return result
    }
}
