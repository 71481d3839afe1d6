import LibAV

/// How one timeline item is entered from the previous one.
public struct TimelineTransition: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Straight cut: no overlap.
        case cut
        /// `frames` frames in which the outgoing item's last frames dissolve into the incoming item's first.
        case crossfade
        /// A dip to black over `frames` frames: the outgoing item fades out over the first half, the incoming fades in over the second.
        case fadeBlack = "fade_black"
    }

    public var kind: Kind
    /// Frames of overlap at the timeline's rate (0 for a cut).
    public var frames: Int

    public init(kind: Kind, frames: Int) {
        self.kind = kind
        self.frames = kind == .cut ? 0 : frames
    }

    public static let cut = TimelineTransition(kind: .cut, frames: 0)
}

/// One item of a timeline: a range of a media file and how it is entered.
public struct TimelineEntry: Sendable, Hashable {
    public var path: String
    /// Seconds from the media's start.
    public var start: Double
    public var end: Double
    public var transitionIn: TimelineTransition

    public init(path: String, start: Double, end: Double, transitionIn: TimelineTransition = .cut) {
        self.path = path
        self.start = start
        self.end = end
        self.transitionIn = transitionIn
    }
}

/// What ``TimelineRenderer`` renders: items in order, the target picture and where to.
///
/// A transition of N frames overlaps the last N frames of the previous item with
/// the first N of its own, so the output lasts the sum of the items' frames
/// less the sum of the transitions' frames (SPEC section 9).
public struct TimelineRequest: Sendable, Hashable {
    public var entries: [TimelineEntry]
    public var output: String
    /// Target picture size; nil takes the first item's.
    public var width: Int?
    public var height: Int?
    /// Target frame rate; nil takes the first item's.
    public var frameRate: Rational?
    /// Target pixel format; nil takes the first item's.
    public var pixelFormat: PixelFormat?
    /// Quality of the re-encoded parts (transitions, GOP heads and tails, foreign sources).
    public var quality: EncodingQuality

    public init(entries: [TimelineEntry], output: String, width: Int? = nil, height: Int? = nil, frameRate: Rational? = nil,
                pixelFormat: PixelFormat? = nil, quality: EncodingQuality = EncodingQuality()) {
        self.entries = entries
        self.output = output
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.pixelFormat = pixelFormat
        self.quality = quality
    }
}

/// Where one item landed in the output and how it got there.
public struct TimelinePlacement: Sendable, Hashable, Codable {
    /// First output frame showing this item (inside the transition into it, when there is one).
    public var recordStartFrame: Int
    /// Frames of the item on the timeline, transitions included.
    public var frames: Int
    /// The item's first frame in its source, at the timeline's rate.
    public var sourceStartFrame: Int
    /// Output frames `[first, end)` whose packets were copied from the source unchanged.
    public var copiedRanges: [[Int]]
    public var copiedFrames: Int
    public var reencodedFrames: Int
    /// Why the item was re-encoded rather than copied, when it was.
    public var reencodeReason: String?

    enum CodingKeys: String, CodingKey {
        case recordStartFrame = "record_start_frame", frames, sourceStartFrame = "source_start_frame"
        case copiedRanges = "copied_ranges", copiedFrames = "copied_frames", reencodedFrames = "reencoded_frames"
        case reencodeReason = "reencode_reason"
    }
}

/// What a timeline render produced.
public struct TimelineResult: Sendable, Hashable, Codable {
    public var output: String
    public var width: Int
    public var height: Int
    public var frameRate: Rational
    public var pixelFormat: String
    public var frames: Int
    public var durationSec: Double
    public var placements: [TimelinePlacement]
    public var copiedFrames: Int
    public var reencodedFrames: Int
    /// How the sound was made.
    public var audio: String
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case output, width, height, frameRate = "frame_rate", pixelFormat = "pixel_format", frames, durationSec = "duration_sec"
        case placements = "items", copiedFrames = "copied_frames", reencodedFrames = "reencoded_frames", audio, warnings
    }
}
