import Foundation
import LibAV

/// Writes one picture per segment (its representative frame) as
/// `seg_000.jpg`, `seg_001.jpg`, ... into a folder, upright and at a modest width.
/// Each image costs a seek and the decode of part of one GOP, not a second full pass.
public enum SegmentThumbnails {
    /// - Returns: the analysis with each segment's `thumbnail` path filled in.
    /// - Throws: ``MediaError`` for a missing or unwritable folder or an undecodable frame.
    public static func write(_ analysis: VideoAnalysis, into folder: String, width: Int = 480) throws(MediaError) -> VideoAnalysis {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError(path: folder, code: .outputUnwritable, message: "thumbnail folder does not exist")
        }
        var result = analysis
        let video = try SeekableVideo(path: analysis.path)
        let geometry = PictureGeometry(stream: video.stream)
        let writer = ImageWriter(format: .jpeg, width: width)
        for (position, segment) in analysis.segments.enumerated() {
            let frameIndex = min(max(0, segment.representativeFrame), analysis.frames.count - 1)
            let picked = try video.frame(shownAt: analysis.frames[frameIndex].timestamp)
            let number = String(segment.index)
            let name = "seg_" + String(repeating: "0", count: max(0, 3 - number.count)) + number + ".jpg"
            let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            try writer.write(picked.frame, geometry: geometry, to: path, inputs: [analysis.path])
            result.segments[position].thumbnail = path
        }
        return result
    }
}
