import LibAV

/// One item of a timeline, opened and measured on the timeline's frame grid,
/// with its decision: which of its own frames (those outside transitions)
/// are copied as packets and which are re-encoded.
final class TimelineItem {
    let entry: TimelineEntry
    /// The file as read for packet scanning and copying.
    let source: ClipSource
    /// Frames on the timeline, transitions included.
    let frames: Int
    /// The item's first frame, in its stream time base.
    private(set) var startTimestamp: Int64
    /// One timeline frame in the stream time base (exact when the item can be copied).
    let slotTimestamps: Int64
    /// Frames shared with the previous item and with the next.
    var overlapIn = 0
    var overlapOut = 0
    /// The copied part, when there is one.
    var copy: CopyPlan?
    var copyRefusal: String?

    /// Item-local frames `[first, end)` copied as packets from `scan` (decoding-order packet indices `packets`).
    struct CopyPlan {
        var first: Int
        var end: Int
        var scan: VideoRangeScan
        var packets: Range<Int>
        /// Presentation minus decoding time of the first copied packet (stream time base).
        var reorderDelay: Int64
        var configuration: AVCConfiguration
    }

    init(entry: TimelineEntry, source: ClipSource, frameRate: Rational) {
        self.entry = entry
        self.source = source
        frames = Int((max(0, entry.end - entry.start) * frameRate.doubleValue).rounded())
        startTimestamp = source.timestamp(seconds: entry.start)
        slotTimestamps = rescale(1, from: frameRate.inverted, to: source.timeBase)
    }

    var ownFrames: Range<Int> { overlapIn..<max(overlapIn, frames - overlapOut) }

    func timestamp(slot: Int) -> Int64 { startTimestamp + Int64(slot) * slotTimestamps }

    /// Why the item's packets cannot be copied into an output of `target`; nil when they can.
    func copyRefusal(target: TimelineTarget) -> String? {
        let video = source.video
        let parameters = video.parameters
        guard parameters.codecID == .h264 else { return "its video is \(parameters.codecName), not H.264" }
        guard AVCConfiguration(video.extradata) != nil else { return "its H.264 stream has no avcC decoder configuration" }
        guard !parameters.fieldOrder.isInterlaced else { return "it is interlaced" }
        guard SmartClip.x264Profile(parameters.profileName) != nil else {
            return "libx264 cannot encode its H.264 profile (\(parameters.profileName ?? "unknown"))"
        }
        guard parameters.width == target.width, parameters.height == target.height else {
            return "its size \(parameters.width)x\(parameters.height) is not the timeline's \(target.width)x\(target.height)"
        }
        guard parameters.pixelFormat == target.pixelFormat else {
            return "its pixel format \(parameters.pixelFormat) is not the timeline's \(target.pixelFormat)"
        }
        let rate = video.averageFrameRate.isValid ? video.averageFrameRate.reduced : video.realFrameRate.reduced
        guard rate == target.frameRate else {
            return "its frame rate \(rate) is not the timeline's \(target.frameRate)"
        }
        let base = source.timeBase
        guard base.numerator > 0, base.denominator > 0,
              (Int64(base.denominator) * Int64(target.frameRate.denominator)) % (Int64(base.numerator) * Int64(target.frameRate.numerator)) == 0 else {
            return "its time base \(base) does not hold whole frames at \(target.frameRate) fps"
        }
        let sar = video.sampleAspectRatio.isValid ? video.sampleAspectRatio : parameters.sampleAspectRatio
        guard (sar.isValid ? sar.reduced : Rational(1, 1)) == target.sampleAspectRatio else { return "its sample aspect ratio \(sar) differs" }
        guard video.rotation == target.rotation else { return "its rotation \(video.rotation)° differs from the timeline's \(target.rotation)°" }
        return nil
    }

    /// Finds the closed GOPs that lie wholly inside the item's own frames: from
    /// the first IDR keyframe at or after their start to the last IDR at or
    /// before their end. Frames before and after are re-encoded.
    func planCopy(target: TimelineTarget) throws(MediaError) {
        if let refusal = copyRefusal(target: target) { copyRefusal = refusal; return }
        // `copyRefusal` has made sure a frame is a whole number of ticks, so `slotTimestamps` is at least 1
        // (a time base coarser than a frame, as a damaged header may give, is refused there).
        // On the source's own frame grid, the frame a slot shows is the one that starts there.
        let origin = source.video.startTime ?? 0
        let offset = startTimestamp - origin
        startTimestamp = origin + (offset + slotTimestamps / 2) / slotTimestamps * slotTimestamps
        let own = ownFrames
        guard own.count > 1 else { copyRefusal = "it has no frames outside its transitions"; return }
        let start = timestamp(slot: own.lowerBound), end = timestamp(slot: own.upperBound)
        let scan = try VideoRangeScan.scan(source, start: start, end: end, detectIDR: true)
        guard !scan.lacksPresentationTimes else { copyRefusal = "its reordered packets carry no presentation times"; return }
        let packets = scan.packets
        let idrs = packets.indices.filter { packets[$0].isKeyframe && packets[$0].isIDR == true && packets[$0].pts >= start && packets[$0].pts <= end
            && (packets[$0].pts - start) % slotTimestamps == 0 }
        guard let firstKey = idrs.min(by: { packets[$0].pts < packets[$1].pts }),
              let lastKey = idrs.max(by: { packets[$0].pts < packets[$1].pts }),
              packets[lastKey].pts > packets[firstKey].pts, lastKey > firstKey else {
            copyRefusal = "no whole GOP (IDR to IDR) lies inside its own frames"
            return
        }
        let first = packets[firstKey].pts, last = packets[lastKey].pts
        let range = firstKey..<lastKey
        let shown = range.map { packets[$0].pts }
        let expected = Int((last - first) / slotTimestamps)
        guard shown.count == expected, Set(shown).count == expected,
              shown.allSatisfy({ $0 >= first && $0 < last && ($0 - first) % slotTimestamps == 0 }) else {
            copyRefusal = "its GOPs are open or its frame rate varies, so packets do not map one-to-one onto timeline frames"
            return
        }
        copy = CopyPlan(first: own.lowerBound + Int((first - start) / slotTimestamps),
                        end: own.lowerBound + Int((last - start) / slotTimestamps),
                        scan: scan, packets: range, reorderDelay: max(0, first - packets[firstKey].dts),
                        configuration: AVCConfiguration(source.video.extradata)!)
    }
}

@available(*, unavailable, message: "A TimelineItem owns an input file that must stay in one task.")
extension TimelineItem: Sendable {}

/// The output picture of a timeline.
struct TimelineTarget: Sendable, Hashable {
    var width: Int
    var height: Int
    var frameRate: Rational
    var pixelFormat: PixelFormat
    var sampleAspectRatio: Rational
    var rotation: Int
    var colorimetry: Colorimetry

    /// The time base of everything written: 512 ticks a frame (1/15360 at 30 fps, what ffmpeg's MP4 muxer picks).
    var workingTimeBase: Rational { Rational(frameRate.denominator, frameRate.numerator * 512) }
    static let ticksPerFrame: Int64 = 512
}
