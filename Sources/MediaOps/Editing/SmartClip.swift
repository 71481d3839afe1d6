import LibAV

/// `clip --mode smart`: re-encode only the head, from the start to the first
/// IDR keyframe inside the range, and copy everything from that keyframe on.
///
/// The two parts must decode as one H.264 stream under one decoder
/// configuration. Cutters that re-encode the head with the encoder's default
/// parameter sets (id 0, like the source's) make the copied tail decode with
/// the head's SPS/PPS — the corrupt or green frames after the join reported
/// against LosslessCut's and auto-editor's smart cuts. Here the head is
/// encoded with an SPS/PPS id the source does not use (x264 `sps-id`), without
/// B-frames, with the source's profile, size, pixel format and colour
/// description, and both sets of parameter sets go into one `avcC`: each slice
/// finds its own. Decoding timestamps of the head are shifted by the tail's
/// reordering delay so that they rise monotonically across the join.
///
/// Sources this cannot do safely (not H.264, no `avcC`, interlaced, a pixel
/// format or profile x264 cannot match, no IDR inside the range, a container
/// that does not carry `avcC`) are refused with a ``Refusal``; ``Clipper``
/// then cuts `exact` and reports the reason.
enum SmartClip {
    /// Why smart cutting is not safe for this source.
    struct Refusal: Error, Sendable {
        var reason: String
    }

    static let avcConfigurationFormats: Set<String> = CompanionStreams.editListFormats.union(["matroska", "webm"])

    /// x264's profile names for libav's H.264 profile numbers.
    static func x264Profile(_ name: String?) -> String? {
        switch name {
        case "Baseline", "Constrained Baseline": "baseline"
        case "Main": "main"
        case "High": "high"
        case "High 10": "high10"
        case "High 4:2:2": "high422"
        case "High 4:4:4 Predictive": "high444"
        default: nil
        }
    }

    static func write(source: ClipSource, request: ClipRequest, to path: String, progress: EditingProgress?) throws -> ClipResult {
        let parameters = source.video.parameters
        guard parameters.codecID == .h264 else {
            throw Refusal(reason: "smart cutting supports H.264 only; this video is \(parameters.codecName)")
        }
        guard let configuration = AVCConfiguration(source.video.extradata) else {
            throw Refusal(reason: "the H.264 stream has no avcC decoder configuration to share with a re-encoded head")
        }
        guard !parameters.fieldOrder.isInterlaced else { throw Refusal(reason: "interlaced video cannot be smart-cut safely") }
        guard let profile = x264Profile(parameters.profileName) else {
            throw Refusal(reason: "libx264 cannot encode the source's H.264 profile (\(parameters.profileName ?? "unknown"))")
        }
        guard VideoTrackEncoder.encodablePixelFormat(parameters.pixelFormat, width: parameters.width, height: parameters.height) == parameters.pixelFormat else {
            throw Refusal(reason: "libx264 cannot encode the source's pixel format \(parameters.pixelFormat)")
        }
        let usedIDs = configuration.sequenceParameterSetIDs.union(configuration.pictureParameterSetIDs)
        guard let headID = (0...31).first(where: { !usedIDs.contains($0) }) else {
            throw Refusal(reason: "the source uses every parameter-set id; none is left for a re-encoded head")
        }

        let start = source.timestamp(seconds: request.start)
        let end = source.timestamp(seconds: request.end)
        let scan = try VideoRangeScan.scan(source, start: start, end: end, detectIDR: true)
        if scan.lacksPresentationTimes { throw Refusal(reason: "the video's reordered packets carry no presentation times") }
        guard let firstIncluded = scan.firstIncludedPTS, let lastNeeded = scan.lastNeededIndex else {
            throw MediaError(path: source.path, code: .invalidRange, message: "no video frame is shown between \(secondsText(request.start)) s and \(secondsText(request.end)) s")
        }
        guard let joinIndex = scan.firstCleanKeyframeInRange else {
            throw Refusal(reason: "the range holds no IDR keyframe, so there is nothing to copy; all of it was re-encoded")
        }
        let join = scan.packets[joinIndex]
        let output = try OutputFile(path: path)
        guard avcConfigurationFormats.contains(output.formatName) else {
            throw Refusal(reason: "\(output.formatName) does not carry an avcC decoder configuration")
        }
        guard output.mayStore(.h264) else { throw Refusal(reason: "\(output.formatName) cannot hold H.264") }
        let editList = CompanionStreams.editListFormats.contains(output.formatName)

        // 1. The head: frames [firstIncluded, join) decoded and re-encoded into memory.
        var head: [Packet] = []
        var headConfiguration = configuration
        var headFrames = 0
        var headDamage = 0
        if join.pts > firstIncluded {
            let encoded = try encodeHead(source: source, scan: scan, from: firstIncluded, to: join.pts, profile: profile,
                                         headID: headID, quality: request.quality, lengthSize: configuration.lengthSize)
            head = encoded.packets
            headFrames = encoded.frames
            headDamage = encoded.damagedPackets
            headConfiguration.sequenceParameterSets += encoded.sequenceParameterSets
            headConfiguration.pictureParameterSets += encoded.pictureParameterSets
        }

        // 2. The file: merged avcC, head packets, then the copied tail and companions.
        let videoOut = try output.addStream(copying: source.video)
        try output.setExtradata(stream: videoOut, headConfiguration.bytes)
        let companions = try CompanionStreams.add(from: source, to: output)
        let copied = (joinIndex...max(joinIndex, lastNeeded)).filter { !scan.isLeading($0, after: joinIndex) }
        let presentedEnd: Int64
        let frames: Int
        if editList {
            presentedEnd = source.presentedEnd(next: scan.nextFramePTS, lastEnd: scan.includedEnd, requestedEnd: end)
            frames = scan.includedFrames
        } else {
            presentedEnd = copied.map { scan.packets[$0].pts + max(scan.packets[$0].duration, 0) }.max() ?? end
            frames = headFrames + copied.count
        }
        try output.writeHeader(options: CopyClip.muxerOptions(output: output, source: source, editList: editList))
        let reorderDelay = max(0, join.pts - join.dts)
        for packet in head {
            packet.dts = packet.pts - reorderDelay
            try output.write(packet, from: source.timeBase, toStream: videoOut)
        }
        var filter = CompanionPacketFilter(source: source, rangeStart: firstIncluded, rangeEnd: presentedEnd, offset: firstIncluded)
        try CopyClip.copyPackets(source: source, scan: scan, copied: Set(copied), lastNeeded: lastNeeded, offset: firstIncluded,
                                 to: output, videoStream: videoOut, companions: companions, filter: &filter, progress: progress)
        try output.finish()
        if editList {
            let seconds = Timestamp(presentedEnd - firstIncluded, source.timeBase).seconds
            try MovieEditList.setPresentedDurations(path: path, durations: Dictionary(uniqueKeysWithValues: (0..<output.streamCount).map { ($0, seconds) }))
        }
        var warnings = companions.warnings
        if head.isEmpty { warnings.append("the range starts on a keyframe: nothing needed re-encoding") }
        if let skipped = DamagedDataWarning.packetsSkipped(headDamage) { warnings.append(skipped) }
        return ClipResult(output: request.output, mode: .smart, requested: .init(start: request.start, end: request.end),
                          actual: PresentedRange(start: source.seconds(firstIncluded), end: source.seconds(presentedEnd), frames: frames),
                          fallback: nil, warnings: warnings)
    }

    /// libx264 options for a head that shares the tail's decoder configuration:
    /// the source's profile and level, and parameter-set id `headID`.
    static func headOptions(profile: String, level: Int32, headID: Int) -> [String: String] {
        var options = ["profile": profile, "x264-params": "sps-id=\(headID)"]
        if level > 0 && level < 100 { options["level"] = "\(level / 10).\(level % 10)" }
        return options
    }

    /// A copy of an x264 packet (Annex B) as length-prefixed slices, without
    /// the parameter sets and delimiters the shared `avcC` carries; nil when
    /// the packet holds no slice.
    static func lengthPrefixedSlices(of packet: Packet, lengthSize: Int) throws(AVError) -> Packet? {
        let units = packet.withUnsafeData { H264Bitstream.annexBUnits(Array($0)) }
            .filter { ![7, 8, 9].contains(H264Bitstream.unitType($0)) }
        if units.isEmpty { return nil }
        let copy = try packet.clone()
        try copy.replacePayload(with: H264Bitstream.lengthPrefixed(units, lengthSize: lengthSize))
        return copy
    }

    /// The sequence and picture parameter sets in an encoder's Annex B extradata.
    static func parameterSets(inAnnexB extradata: [UInt8]) -> (sequence: [[UInt8]], picture: [[UInt8]]) {
        let units = H264Bitstream.annexBUnits(extradata)
        return (units.filter { H264Bitstream.unitType($0) == 7 }.map { Array($0) },
                units.filter { H264Bitstream.unitType($0) == 8 }.map { Array($0) })
    }

    struct EncodedHead {
        var packets: [Packet]
        var frames: Int
        /// Packets the head's decoder skipped as damaged (the copied tail is carried as it is).
        var damagedPackets: Int
        var sequenceParameterSets: [[UInt8]]
        var pictureParameterSets: [[UInt8]]
    }

    /// Decodes from the keyframe before the start and encodes the frames shown
    /// in `[from, to)` as length-prefixed H.264 with parameter-set id `headID`.
    static func encodeHead(source: ClipSource, scan: VideoRangeScan, from: Int64, to: Int64, profile: String, headID: Int,
                           quality: EncodingQuality, lengthSize: Int) throws -> EncodedHead {
        let parameters = source.video.parameters
        let sar = source.video.sampleAspectRatio.isValid ? source.video.sampleAspectRatio : parameters.sampleAspectRatio
        let picture = VideoTrackEncoder.Picture(
            width: parameters.width, height: parameters.height, pixelFormat: parameters.pixelFormat,
            sampleAspectRatio: sar, timeBase: source.timeBase, frameRate: source.encodingFrameRate,
            colorimetry: parameters.colorimetry)
        let encoder = try VideoTrackEncoder(picture: picture, quality: quality, output: nil, globalHeader: true,
                                            extraOptions: headOptions(profile: profile, level: parameters.level, headID: headID), maxBFrames: 0)
        var packets: [Packet] = []
        var conversionFailed = false
        encoder.packetSink = { packet in
            guard let copy = try lengthPrefixedSlices(of: packet, lengthSize: lengthSize) else { conversionFailed = true; return }
            packets.append(copy)
        }
        try VideoRangeScan.seek(source, to: scan.seekTarget)
        let reader = try FrameReader(input: source.input, stream: source.video)
        var frames = 0
        while let frame = try reader.nextFrame() {
            let pts = reader.presentationTimestamp(of: frame)
            if pts == Timestamp.none || pts < from { continue }
            if pts >= to { break }
            try encoder.encode(frame, pts: pts - from, output: nil)
            frames += 1
        }
        try encoder.finish(output: nil)
        source.input.selectStreams(Set(0..<source.input.streams.count))
        if conversionFailed || packets.count != frames {
            throw Refusal(reason: "the re-encoded head did not come out as one packet per frame")
        }
        let (sps, pps) = parameterSets(inAnnexB: encoder.encoder.extradata)
        guard !sps.isEmpty, !pps.isEmpty,
              sps.allSatisfy({ H264Bitstream.sequenceParameterSetID($0[...]) == headID }),
              pps.allSatisfy({ H264Bitstream.pictureParameterSetID($0[...]) == headID }) else {
            throw Refusal(reason: "libx264 did not produce parameter sets with the distinct id the join needs")
        }
        return EncodedHead(packets: packets, frames: frames, damagedPackets: reader.damagedPackets, sequenceParameterSets: sps,
                           pictureParameterSets: pps)
    }
}
