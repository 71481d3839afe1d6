import Foundation
import LibAV

/// Renders a timeline (``TimelineRequest``) into one H.264 file, copying what
/// needs no change and re-encoding the rest: the smart cut of ``SmartClip``
/// applied at every join.
///
/// For every item whose stream matches the target (H.264 with `avcC`, same size,
/// pixel format, frame rate, aspect and rotation), the closed GOPs that lie
/// wholly between its transitions are copied packet for packet; the frames
/// before the first of them and after the last (the GOP head and tail around a
/// join) and every transition are decoded and re-encoded with libx264 under a
/// parameter-set id no source uses, so that both kinds of packet decode under
/// one `avcC`. Items that do not match are decoded, scaled to the target and
/// re-encoded whole. Sources whose own parameter sets differ carry them in-band
/// at the start of each copied run.
///
/// Sound is re-encoded as AAC over the whole output, each item's sound cut to
/// the frames it is heard for: at a transition the outgoing item's sound runs
/// to the transition's middle frame and the incoming item's from there, so
/// picture and sound stay in step at every join.
///
/// ```swift
/// let result = try TimelineRenderer.render(TimelineRequest(entries: [
///     TimelineEntry(path: "a.mp4", start: 0, end: 10),
///     TimelineEntry(path: "b.mp4", start: 2, end: 12, transitionIn: TimelineTransition(kind: .crossfade, frames: 15)),
/// ], output: "out.mp4"))
/// print(result.frames, result.copiedFrames)
/// ```
public enum TimelineRenderer {
    /// - Returns: frames, duration, and where each item landed and what of it was copied.
    /// - Throws: ``MediaError`` naming the item's file (unreadable, range outside the media,
    ///   a transition longer than an item) or the output (a directory, a device, unwritable).
    public static func render(_ request: TimelineRequest, progress: EditingProgress? = nil) throws(MediaError) -> TimelineResult {
        guard !request.entries.isEmpty else {
            throw MediaError(path: request.output, code: .invalidArgument, message: "the timeline has no items")
        }
        try request.quality.validate(path: request.output)
        let destination = try OutputDestination(path: request.output, inputs: request.entries.map(\.path))
        defer { destination.discardIfUncommitted() }
        var result: TimelineResult
        do {
            result = try TimelineWriter(request: request, path: destination.temporaryPath).write(progress: progress)
        } catch {
            throw Concatenator.mediaError(error, path: request.output)
        }
        try destination.commit()
        result.output = request.output
        progress?(1)
        return result
    }
}

/// One render of a timeline: items, target, output, and the encoder of the re-encoded run in progress.
final class TimelineWriter {
    let request: TimelineRequest
    let path: String
    var items: [TimelineItem] = []
    var target: TimelineTarget
    var warnings: [String] = []

    /// The largest frame-rate numerator kept as it is: times 512 (ticks a frame) it still fits in an `Int32`.
    static let largestRateNumerator = 1_000_000

    init(request: TimelineRequest, path: String) throws {
        self.request = request
        self.path = path
        for (position, entry) in request.entries.enumerated() {
            let source = try ClipSource(path: entry.path)
            do { try source.validate(start: entry.start, end: entry.end) } catch {
                throw MediaError(path: entry.path, code: error.code, message: "timeline item \(position + 1): \(error.message)")
            }
            items.append(TimelineItem(entry: entry, source: source, frameRate: Rational(1, 1)))
        }
        let first = items[0].source.video
        let parameters = first.parameters
        let chosen: Rational = try {
            if let rate = request.frameRate { return rate.reduced }
            if let rate = PlausibleTiming.frameRate(of: first) { return rate }
            throw MediaError(path: request.entries[0].path, code: .invalidArgument, message: "has no usable frame rate; give the timeline an \"fps\"")
        }()
        // The working time base counts 512 ticks a frame (``TimelineTarget/workingTimeBase``): a rate whose
        // numerator does not allow that in 32 bits (a damaged header's average, 1138376815/37789409) is
        // taken as the nearest fraction of smaller terms, the same rate to a millionth.
        let rate = chosen.numerator > Self.largestRateNumerator
            ? Rational(approximating: chosen.doubleValue, maxDenominator: Int32(Self.largestRateNumerator)) : chosen
        guard rate.doubleValue > 0, rate.doubleValue <= 240 else {
            throw MediaError(path: request.output, code: .invalidArgument, message: "the frame rate must be above 0 and at most 240, not \(rate)")
        }
        let width = request.width ?? parameters.width, height = request.height ?? parameters.height
        let wanted = request.pixelFormat ?? parameters.pixelFormat
        let format = VideoTrackEncoder.encodablePixelFormat(wanted, width: width, height: height)
        if format != wanted { warnings.append("pixel format \(wanted) is not one libx264 takes at \(width)x\(height); the timeline is \(format)") }
        let sar = first.sampleAspectRatio.isValid ? first.sampleAspectRatio : parameters.sampleAspectRatio
        target = TimelineTarget(width: width, height: height, frameRate: rate, pixelFormat: format,
                                sampleAspectRatio: request.width == nil && request.height == nil && sar.isValid ? sar.reduced : Rational(1, 1),
                                rotation: request.width == nil && request.height == nil ? first.rotation : 0, colorimetry: parameters.colorimetry)
        items = zip(request.entries, items).map { TimelineItem(entry: $0, source: $1.source, frameRate: rate) }
        try checkLengths()
    }

    /// Every item at least a frame long; every transition within both its items, and not into the first.
    private func checkLengths() throws(MediaError) {
        for (position, item) in items.enumerated() {
            let name = "timeline item \(position + 1)"
            let transition = item.entry.transitionIn
            guard item.frames >= 1 else {
                throw MediaError(path: item.entry.path, code: .invalidRange, message: "\(name) is shorter than one frame at \(target.frameRate) fps")
            }
            guard transition.frames >= 0 else {
                throw MediaError(path: item.entry.path, code: .invalidArgument, message: "\(name): a transition cannot have \(transition.frames) frames")
            }
            guard transition.kind != .cut else { continue }
            guard position > 0 else {
                throw MediaError(path: item.entry.path, code: .invalidArgument, message: "\(name): the first item has nothing to \(transition.kind.rawValue) from")
            }
            let minimum = transition.kind == .fadeBlack ? 2 : 1
            guard transition.frames >= minimum else {
                throw MediaError(path: item.entry.path, code: .invalidArgument,
                                 message: "\(name): a \(transition.kind.rawValue) needs at least \(minimum) frame\(minimum == 1 ? "" : "s")")
            }
            guard TransitionPicture.supports(target.pixelFormat) else {
                throw MediaError(path: item.entry.path, code: .unsupportedCodec,
                                 message: "\(name): transitions are computed on 8-bit planar YUV, not \(target.pixelFormat)")
            }
            let previous = items[position - 1]
            items[position].overlapIn = transition.frames
            items[position - 1].overlapOut = transition.frames
            for (other, label) in [(item, name), (previous, "timeline item \(position)")] where transition.frames > other.frames {
                throw MediaError(path: item.entry.path, code: .invalidRange,
                                 message: "\(name): the \(transition.kind.rawValue) of \(transition.frames) frames is longer than \(label) (\(other.frames) frames)")
            }
        }
        for (position, item) in items.enumerated() where item.overlapIn + item.overlapOut > item.frames {
            throw MediaError(path: item.entry.path, code: .invalidRange,
                             message: "timeline item \(position + 1): its transitions (\(item.overlapIn) + \(item.overlapOut) frames) are longer than the item (\(item.frames) frames)")
        }
    }

    /// What the output is made of, in order.
    enum Piece {
        case frames(item: Int, range: Range<Int>)
        case transition(into: Int)
        case copy(item: Int)
    }

    func pieces() -> [Piece] {
        var pieces: [Piece] = []
        for (position, item) in items.enumerated() {
            if item.overlapIn > 0 { pieces.append(.transition(into: position)) }
            let own = item.ownFrames
            if let copy = item.copy {
                if copy.first > own.lowerBound { pieces.append(.frames(item: position, range: own.lowerBound..<copy.first)) }
                pieces.append(.copy(item: position))
                if own.upperBound > copy.end { pieces.append(.frames(item: position, range: copy.end..<own.upperBound)) }
            } else if !own.isEmpty {
                pieces.append(.frames(item: position, range: own))
            }
        }
        return pieces
    }

    // MARK: Writing

    private var output: OutputFile!
    private var videoStream = 0
    private var run: VideoTrackEncoder?
    private var runOptions: [String: String] = [:]
    private var parameterSets: (sequence: [[UInt8]], picture: [[UInt8]]) = ([], [])
    private var lengthSize = 4
    /// Decoding times run this far behind presentation times for every packet (working time base):
    /// the largest reordering delay among the copied sources.
    private var decodingDelay: Int64 = 0
    private var position = 0
    private var frameSources: [Int: TimelineFrameSource] = [:]
    /// Damaged packets the items' decoders skipped, for the warnings.
    private var damage = DamageTally()
    private var transitionPicture: TransitionPicture?
    private var reencoded: [Int] = []
    private var copied: [Int] = []

    func write(progress: EditingProgress?) throws -> TimelineResult {
        for item in items { try item.planCopy(target: target) }
        reencoded = Array(repeating: 0, count: items.count)
        copied = Array(repeating: 0, count: items.count)
        let copying = items.filter { $0.copy != nil }
        let reference = copying.first?.copy?.configuration
        lengthSize = reference?.lengthSize ?? 4
        for item in copying where item.copy!.configuration.lengthSize != lengthSize {
            item.copy = nil
            item.copyRefusal = "its H.264 NAL length size differs from the other copied items'"
        }
        let configurations = items.compactMap { $0.copy?.configuration }
        let usedIDs = configurations.reduce(into: Set<Int>()) { $0.formUnion($1.sequenceParameterSetIDs.union($1.pictureParameterSetIDs)) }
        guard let ownID = (0...31).first(where: { !usedIDs.contains($0) }) else {
            throw MediaError(path: request.output, code: .unsupportedCodec, message: "the sources use every H.264 parameter-set id; none is left for the re-encoded joins")
        }
        let inBand = Set(configurations.map(\.bytes)).count > 1
        for (index, item) in items.enumerated() where item.copy == nil {
            warnings.append("timeline item \(index + 1) re-encoded whole: \(item.copyRefusal ?? "nothing of it could be copied")")
        }
        let base = target.workingTimeBase
        for item in items {
            guard let copy = item.copy else { continue }
            decodingDelay = max(decodingDelay, rescale(copy.reorderDelay, from: item.source.timeBase, to: base))
        }

        if reference != nil, let profile = SmartClip.x264Profile(copying.first!.source.video.parameters.profileName) {
            runOptions = SmartClip.headOptions(profile: profile, level: copying.first!.source.video.parameters.level, headID: ownID)
        } else {
            runOptions = ["x264-params": "sps-id=\(ownID)"]
            _ = reference
        }
        let template = try makeEncoder()
        parameterSets = SmartClip.parameterSets(inAnnexB: template.encoder.extradata)
        guard !parameterSets.sequence.isEmpty, !parameterSets.picture.isEmpty,
              parameterSets.sequence.allSatisfy({ H264Bitstream.sequenceParameterSetID($0[...]) == ownID }),
              parameterSets.picture.allSatisfy({ H264Bitstream.pictureParameterSetID($0[...]) == ownID }) else {
            throw MediaError(path: request.output, code: .libav, message: "libx264 did not produce parameter sets with the id the joins need")
        }
        var configuration = reference ?? AVCConfiguration(Self.configurationBytes(sequence: parameterSets.sequence, picture: parameterSets.picture))!
        if reference != nil {
            configuration.sequenceParameterSets += parameterSets.sequence
            configuration.pictureParameterSets += parameterSets.picture
        }

        output = try OutputFile(path: path)
        // A timeline joins copied H.264 to re-encoded H.264; every container that carries avcC holds AAC too.
        guard SmartClip.avcConfigurationFormats.contains(output.formatName), output.mayStore(.h264) else {
            throw MediaError(path: request.output, code: .invalidArgument,
                             message: "a timeline is H.264 with its avcC decoder configuration, which \(output.formatName) cannot carry; write .mp4, .mov or .mkv")
        }
        if let first = copying.first {
            videoStream = try output.addStream(copying: first.source.video)
        } else {
            videoStream = try output.addStream(encoder: template.encoder)
            if target.rotation != 0 { try output.setRotation(stream: videoStream, clockwiseDegrees: target.rotation) }
        }
        try output.setExtradata(stream: videoStream, configuration.bytes)
        try output.setTimeBase(stream: videoStream, base)
        let audio = try TimelineAudio(items: items, output: output)
        try output.writeHeader()

        let all = pieces()
        for (number, piece) in all.enumerated() {
            switch piece {
            case .frames(let index, let range):
                for slot in range { try encode(try frameSource(index).picture(slot: slot)) }
                reencoded[index] += range.count
                if range.upperBound == items[index].ownFrames.upperBound && items[index].overlapOut == 0 { retireFrameSource(index) }
            case .transition(let index):
                let outgoing = items[index - 1], incoming = items[index]
                let count = incoming.overlapIn
                let kind = incoming.entry.transitionIn.kind
                if transitionPicture == nil {
                    transitionPicture = try TransitionPicture(width: target.width, height: target.height, pixelFormat: target.pixelFormat)
                }
                for step in 0..<count {
                    let a = try frameSource(index - 1).picture(slot: outgoing.frames - count + step)
                    let b = try frameSource(index).picture(slot: step)
                    try encode(try transitionPicture!.picture(kind: kind, step: step, count: count, outgoing: a, incoming: b))
                }
                retireFrameSource(index - 1)
                reencoded[index - 1] += count - count / 2
                reencoded[index] += count / 2
            case .copy(let index):
                try finishRun()
                try copyPackets(of: items[index], inBand: inBand)
            }
            progress?(Double(number + 1) / Double(all.count + 1))
        }
        try finishRun()
        for index in frameSources.keys.sorted() { retireFrameSource(index) }
        let slotDuration = target.frameRate.inverted
        try audio?.write(items: items, frameDuration: slotDuration, output: output, damage: &damage)
        for refusal in audio?.refusals ?? [] {
            warnings.append(AudioTrackEncoder.silenceWarning(path: refusal.path, refusal: refusal.error))
        }
        warnings += damage.warnings
        try output.finish()

        let expected = items.reduce(0) { $0 + $1.frames - $1.overlapIn }
        guard position == expected else {
            throw MediaError(path: request.output, code: .internal, message: "wrote \(position) frames, the timeline has \(expected)")
        }
        var placements: [TimelinePlacement] = []
        var record = 0
        for (index, item) in items.enumerated() {
            record -= item.overlapIn
            let copiedRange = item.copy.map { [[record + $0.first, record + $0.end]] } ?? []
            placements.append(TimelinePlacement(recordStartFrame: record, frames: item.frames,
                                                sourceStartFrame: Int((item.entry.start * target.frameRate.doubleValue).rounded()),
                                                copiedRanges: copiedRange, copiedFrames: copied[index], reencodedFrames: reencoded[index],
                                                reencodeReason: item.copy == nil ? item.copyRefusal : nil))
            record += item.frames
        }
        return TimelineResult(output: request.output, width: target.width, height: target.height, frameRate: target.frameRate,
                              pixelFormat: target.pixelFormat.description, frames: position,
                              durationSec: Timestamp(Int64(position), slotDuration).seconds, placements: placements,
                              copiedFrames: copied.reduce(0, +), reencodedFrames: reencoded.reduce(0, +),
                              audio: audio == nil ? "none" : "aac, re-encoded over the whole timeline", warnings: warnings)
    }

    /// Lets go of an item's decoder once its pictures are written, counting the damage it skipped.
    private func retireFrameSource(_ index: Int) {
        guard let source = frameSources.removeValue(forKey: index) else { return }
        damage.add(source.damagedPackets, in: source.source.path)
    }

    private func frameSource(_ index: Int) throws -> TimelineFrameSource {
        if let existing = frameSources[index] { return existing }
        let item = items[index]
        let made = try TimelineFrameSource(path: item.entry.path, start: item.startTimestamp, frameRate: target.frameRate,
                                           width: target.width, height: target.height, pixelFormat: target.pixelFormat)
        frameSources[index] = made
        return made
    }

    private func makeEncoder() throws -> VideoTrackEncoder {
        let picture = VideoTrackEncoder.Picture(width: target.width, height: target.height, pixelFormat: target.pixelFormat,
                                                sampleAspectRatio: target.sampleAspectRatio, timeBase: target.workingTimeBase,
                                                frameRate: target.frameRate, colorimetry: target.colorimetry)
        return try VideoTrackEncoder(picture: picture, quality: request.quality, output: nil, globalHeader: true,
                                     extraOptions: runOptions, maxBFrames: 0)
    }

    /// Sends one picture to the re-encoded run, opening a run (a fresh encoder, starting on an IDR) when none is open.
    private func encode(_ picture: Frame) throws {
        if run == nil {
            let encoder = try makeEncoder()
            let sets = SmartClip.parameterSets(inAnnexB: encoder.encoder.extradata)
            guard sets.sequence == parameterSets.sequence, sets.picture == parameterSets.picture else {
                throw MediaError(path: request.output, code: .libav, message: "libx264 changed its parameter sets between runs")
            }
            let base = target.workingTimeBase
            encoder.packetSink = { [unowned self] packet in
                guard let slices = try SmartClip.lengthPrefixedSlices(of: packet, lengthSize: self.lengthSize) else {
                    throw MediaError(path: self.request.output, code: .libav, message: "libx264 gave a packet without a picture")
                }
                slices.pts = rescale(packet.pts, from: packet.timeBase, to: base)
                slices.dts = slices.pts - self.decodingDelay
                slices.duration = TimelineTarget.ticksPerFrame
                try self.output.write(slices, from: base, toStream: self.videoStream)
            }
            run = encoder
        }
        try run!.encode(picture, pts: Int64(position) * TimelineTarget.ticksPerFrame, output: nil)
        position += 1
    }

    private func finishRun() throws {
        guard let encoder = run else { return }
        try encoder.finish(output: nil)
        run = nil
    }

    /// Copies an item's closed GOPs, placed at the current position, decoding times shifted by the common delay.
    private func copyPackets(of item: TimelineItem, inBand: Bool) throws {
        guard let plan = item.copy else { return }
        let source = item.source
        let base = target.workingTimeBase
        let firstPTS = plan.scan.packets[plan.packets.lowerBound].pts
        let placed = rescale(Int64(position) * TimelineTarget.ticksPerFrame, from: base, to: source.timeBase)
        let extraDelay = rescale(decodingDelay, from: base, to: source.timeBase) - plan.reorderDelay
        let sets = (plan.configuration.sequenceParameterSets + plan.configuration.pictureParameterSets).map { $0[...] }
        var filter = CompanionPacketFilter(source: source, rangeStart: firstPTS, rangeEnd: firstPTS, offset: 0)
        try CopyClip.copyPackets(source: source, scan: plan.scan, copied: Set(plan.packets), lastNeeded: plan.packets.upperBound - 1,
                                 offset: firstPTS - placed, to: output, videoStream: videoStream, companions: CompanionStreams(),
                                 filter: &filter, progress: nil) { index, packet in
            packet.dts -= extraDelay
            if inBand && index == plan.packets.lowerBound {
                let payload = packet.data
                try packet.replacePayload(with: H264Bitstream.lengthPrefixed(sets, lengthSize: plan.configuration.lengthSize) + payload)
            }
        }
        let count = plan.end - plan.first
        position += count
        if let index = items.firstIndex(where: { $0 === item }) { copied[index] += count }
    }

    /// An `avcC` record holding only `sequence` and `picture` parameter sets (ISO/IEC 14496-15).
    static func configurationBytes(sequence: [[UInt8]], picture: [[UInt8]]) -> [UInt8] {
        let first = sequence.first ?? [0, 0x64, 0, 0x1F]
        var bytes: [UInt8] = [1, first.count > 1 ? first[1] : 0x64, first.count > 2 ? first[2] : 0, first.count > 3 ? first[3] : 0x1F, 0xFF,
                              0xE0 | UInt8(sequence.count)]
        for set in sequence { bytes += [UInt8(set.count >> 8), UInt8(set.count & 0xFF)] + set }
        bytes.append(UInt8(picture.count))
        for set in picture { bytes += [UInt8(set.count >> 8), UInt8(set.count & 0xFF)] + set }
        return bytes
    }
}

@available(*, unavailable, message: "A TimelineWriter owns libav objects that must stay in one task.")
extension TimelineWriter: Sendable {}
