import LibAV

/// The pictures of one timeline item on the timeline's frame grid, in the
/// target size and pixel format: slot `k` shows the source frame on screen at
/// `start + k / fps` (the last one presented at or before it, within half a
/// slot), so a source at the timeline's rate gives its frames one for one and
/// another rate is resampled by repeating or dropping frames.
///
/// Decodes forward with a ``FrameReader``; asking for an earlier slot, or one
/// far ahead, seeks to the keyframe before it.
final class TimelineFrameSource {
    let source: ClipSource
    private let reader: FrameReader
    private let startTimestamp: Int64
    private let slotDuration: Rational
    private let scaler: Scaler?
    private var held: (frame: Frame, pts: Int64)?
    private var lookahead: (frame: Frame, pts: Int64)?
    private var scaledCache: (pts: Int64, frame: Frame)?

    /// - Parameters:
    ///   - path: the item's file, opened afresh (the renderer's copy of it reads packets elsewhere).
    ///   - start: the item's start in its stream time base.
    init(path: String, start: Int64, frameRate: Rational, width: Int, height: Int, pixelFormat: PixelFormat) throws {
        let source = try ClipSource(path: path)
        self.source = source
        reader = try MediaError.attributing(to: path) { try FrameReader(input: source.input, stream: source.video) }
        startTimestamp = start
        slotDuration = frameRate.inverted
        let parameters = source.video.parameters
        if parameters.width != width || parameters.height != height || parameters.pixelFormat != pixelFormat {
            scaler = try MediaError.attributing(to: path) { try Scaler(sourceWidth: parameters.width, sourceHeight: parameters.height, sourceFormat: parameters.pixelFormat,
                                destinationWidth: width, destinationHeight: height, destinationFormat: pixelFormat, algorithm: .bicubic) }
        } else {
            scaler = nil
        }
    }

    /// Packets skipped as damaged so far (``DamageTolerance``).
    var damagedPackets: Int { reader.damagedPackets }

    /// The stream timestamp of slot `slot`.
    func timestamp(slot: Int) -> Int64 {
        startTimestamp + rescale(Int64(slot), from: slotDuration, to: source.timeBase)
    }

    /// The picture for `slot` (item-local), in the target format. The frame
    /// is shared with the source: copy it before changing it.
    func picture(slot: Int) throws -> Frame {
        try MediaError.attributing(to: source.path) { try decodedPicture(slot: slot) }
    }

    private func decodedPicture(slot: Int) throws -> Frame {
        let target = timestamp(slot: slot)
        let half = max(0, rescale(1, from: slotDuration, to: source.timeBase) / 2 - 1)
        let limit = target + half
        let oneSecond = rescale(1, from: Rational(1, 1), to: source.timeBase)
        if let current = held?.pts ?? lookahead?.pts, current > limit || target - current > 3 * oneSecond {
            try reader.seek(toKeyframeBefore: target)
            held = nil
            lookahead = nil
        } else if held == nil && lookahead == nil && target > (source.video.startTime ?? 0) + oneSecond {
            try reader.seek(toKeyframeBefore: target)
        }
        while true {
            if let next = lookahead {
                guard next.pts <= limit else { break }
                held = next
                lookahead = nil
                continue
            }
            guard let frame = try reader.nextFrame() else { break }
            let pts = reader.presentationTimestamp(of: frame)
            guard pts != Timestamp.none else { continue }
            let copy = try frame.clone()
            if pts <= limit { held = (copy, pts) } else { lookahead = (copy, pts); break }
        }
        guard let held else {
            throw MediaError(path: source.path, code: .corrupt,
                             message: "no decodable video frame at \(secondsText(source.seconds(target))) s")
        }
        guard let scaler else { return held.frame }
        if let cached = scaledCache, cached.pts == held.pts { return cached.frame }
        let scaled = try scaler.makeDestinationFrame()
        try scaler.scale(held.frame, into: scaled)
        try scaled.copyProperties(from: held.frame)
        scaledCache = (held.pts, scaled)
        return scaled
    }
}

@available(*, unavailable, message: "A TimelineFrameSource owns libav objects that must stay in one task.")
extension TimelineFrameSource: Sendable {}
