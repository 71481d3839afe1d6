import LibAV

/// The streams of a source other than the video being cut: extra audio
/// tracks, subtitles, attachments, data. Each is kept when the output
/// container can store it, else dropped with a warning naming it.
struct CompanionStreams {
    /// Source stream index → output stream index, for streams copied packet by packet.
    var copied: [Int: Int] = [:]
    var warnings: [String] = []

    /// Muxers whose files carry edit lists (`elst`), so a copied pre-roll can be hidden.
    static let editListFormats: Set<String> = ["mov", "mp4", "ipod", "3gp", "3g2", "psp", "ismv", "f4v"]

    /// Adds output streams for every companion of `source`, in the source's order.
    /// - Parameter reencodeAudio: when given, called for each decodable audio
    ///   stream to add a re-encoded stream instead of a copy. It returns nil when it added
    ///   the stream, or why it could not (a decoder that refuses the stream's damaged
    ///   headers): the track is then dropped with that reason, as the command line's
    ///   user would rather have the picture without the sound than nothing.
    static func add(from source: ClipSource, to output: OutputFile,
                    reencodeAudio: ((MediaStream) throws -> String?)? = nil) throws -> CompanionStreams {
        var result = CompanionStreams()
        for stream in source.input.streams where stream.index != source.videoIndex {
            let parameters = stream.parameters
            let label = "stream #\(stream.index) (\(stream.kind.rawValue) \(parameters.codecName))"
            switch stream.kind {
            case .audio:
                if let reencodeAudio {
                    if parameters.codecID.hasDecoder && parameters.sampleRate > 0 {
                        if let reason = try reencodeAudio(stream) { result.warnings.append("dropped \(label): \(reason)") }
                    } else {
                        result.warnings.append("dropped \(label): this FFmpeg cannot decode it to re-encode")
                    }
                } else if output.mayStore(parameters.codecID) {
                    result.copied[stream.index] = try output.addStream(copying: stream)
                } else {
                    result.warnings.append("dropped \(label): \(output.formatName) cannot store it")
                }
            case .video:
                result.warnings.append("dropped \(label): only one video stream is cut")
            case .attachment:
                // Fonts and other files ride along in Matroska whatever their type; other containers have no place for them.
                if output.formatName == "matroska" && stream.metadata["filename"] != nil {
                    let index = try output.addStream(copying: stream)
                    try output.copyMetadata(from: stream, toStream: index)
                    result.copied[stream.index] = index
                } else {
                    result.warnings.append("dropped \(label): \(output.formatName) cannot store attachments")
                }
            case .subtitle:
                if parameters.codecID != .none && output.mayStore(parameters.codecID) {
                    result.copied[stream.index] = try output.addStream(copying: stream)
                } else {
                    result.warnings.append("dropped \(label): \(output.formatName) cannot store it")
                }
            case .data, .unknown:
                if parameters.codecID != .none && output.mayStore(parameters.codecID) {
                    result.copied[stream.index] = try output.addStream(copying: stream)
                } else {
                    result.warnings.append("dropped \(label): \(output.formatName) cannot store it")
                }
            }
        }
        return result
    }
}

/// Copies the packets of companion streams that fall inside a presented range,
/// shifted so that the range starts at 0 like the video.
struct CompanionPacketFilter {
    let source: ClipSource
    /// Presented range in the video time base.
    let rangeStart: Int64
    let rangeEnd: Int64
    /// What the video's timestamps are shifted by (video time base).
    let offset: Int64
    /// Audio streams that have reached the end of the range.
    private(set) var finishedAudio: Set<Int> = []

    init(source: ClipSource, rangeStart: Int64, rangeEnd: Int64, offset: Int64) {
        self.source = source
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.offset = offset
    }

    /// Whether every copied audio stream has passed the end.
    func audioComplete(_ copied: [Int: Int]) -> Bool {
        copied.keys.allSatisfy { source.input.streams[$0].kind != .audio || finishedAudio.contains($0) }
    }

    /// Adjusts `packet` (of a companion stream) and says whether to write it.
    mutating func admit(_ packet: Packet) -> Bool {
        let stream = source.input.streams[packet.streamIndex]
        let base = stream.timeBase
        let start = rescale(rangeStart, from: source.timeBase, to: base)
        let end = rescale(rangeEnd, from: source.timeBase, to: base)
        let shift = rescale(offset, from: source.timeBase, to: base)
        let pts = packet.pts != Timestamp.none ? packet.pts : packet.dts
        guard pts != Timestamp.none else { return false }
        if pts >= end {
            if stream.kind == .audio { finishedAudio.insert(packet.streamIndex) }
            return false
        }
        let duration = max(packet.duration, 0)
        if pts + duration <= start && !(duration == 0 && pts == start) { return false }
        if stream.kind == .audio {
            // Audio before the start stays (negative time): the edit list hides
            // it and the decoder still gets its priming.
            packet.pts = pts - shift
            if packet.dts != Timestamp.none { packet.dts -= shift }
        } else {
            // Subtitles that began before the cut start at the cut.
            let clippedStart = max(pts, start)
            packet.pts = clippedStart - shift
            packet.dts = packet.pts
            if duration > 0 { packet.duration = min(pts + duration, end) - clippedStart }
        }
        return true
    }
}
