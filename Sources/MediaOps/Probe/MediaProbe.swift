import Foundation
import LibAV

/// Enrichment: what a file is, read from its container without decoding
/// (SPEC sections 1 and 4, `probe`).
///
/// ```swift
/// let result = try MediaProbe.probe("clip.mp4", computeSHA256: true)
/// print(result.video?.frameCount ?? 0)
/// ```
public enum MediaProbe {
    /// Probes one file.
    /// - Parameters:
    ///   - path: the media file.
    ///   - computeSHA256: also hash the whole file (costs a full read).
    /// - Returns: the enrichment.
    /// - Throws: ``MediaError`` for anything that is not readable media
    ///   (missing, directory, empty, not media, truncated, no streams).
    public static func probe(_ path: String, computeSHA256: Bool = false) throws(MediaError) -> ProbeResult {
        try probeDescribing(path, computeSHA256: computeSHA256).result
    }

    /// ``probe(_:computeSHA256:)``, and what its opening learnt by decoding, for a later
    /// opening of the same file to adopt (``openDescribed(_:knowing:)``).
    static func probeDescribing(_ path: String, computeSHA256: Bool = false) throws(MediaError) -> (result: ProbeResult, decoded: DecodedStreamInfo) {
        let fileSize = try InputValidation.checkReadableFile(path)
        let (input, _, decoded) = try openDescribed(path)
        let streams = input.streams
        guard !streams.isEmpty else {
            throw MediaError(path: path, code: .notMedia, message: "no audio or video streams (\(input.formatName) container with nothing in it)")
        }
        var warnings: [String] = []
        let videoStream = input.bestStream(.video)
        let audioStream = input.bestStream(.audio)
        let container = input.formatName

        var durationSec = input.duration.map { Double($0) / 1_000_000 }
        // The check every reading command makes (any stream's index past the end of the file).
        try InputValidation.checkIndexWithinFile(input, path: path, claimed: durationSec)
        var video: ProbeResult.VideoInfo?
        var videoDurationFromPackets: Double?
        if let videoStream {
            let statistics = try packetStatistics(input: input, stream: videoStream, fileSize: fileSize, path: path)
            video = videoInfo(videoStream, statistics: statistics)
            // Neither the container nor a decoded frame told a picture size: nothing in the
            // stream decodes. Random bytes probe so as H.263 now and then.
            if let video, video.width == 0 || video.height == 0, audioStream == nil {
                throw MediaError(path: path, code: .notMedia,
                                 message: "the \(video.codec) stream has no picture size: nothing in it decodes (\(container) container)")
            }
            videoDurationFromPackets = statistics.dataEndSec
            if !videoStream.parameters.codecID.hasDecoder {
                warnings.append("no decoder for video codec '\(videoStream.parameters.codecName)' in this FFmpeg: metadata only")
            }
            if let claimed = durationSec, let held = headerOverclaim(claimed: claimed, streams: streams, dataEnd: statistics.dataEndSec) {
                warnings.append(String(format: "the header claims %.3f s; the streams hold %.3f s", claimed, held))
                durationSec = held
            }
            if let repaired = repairedFrameRate(video, timeBase: videoStream.timeBase, streamDuration: video?.durationSec ?? durationSec) {
                warnings.append(String(format: "the frame rate %.6g fps does not fit %ld frames in %.3f s (the track's timing is damaged); %.3f fps assumed",
                                       video?.fps ?? 0, video?.frameCount ?? 0, video?.durationSec ?? durationSec ?? 0, repaired))
                video?.fps = repaired
            } else if let fps = video?.fps, fps > 0, fps < PlausibleTiming.frameRates.lowerBound, (video?.frameCount ?? 0) > 0 {
                // Too few frames to measure a rate from (the damaged time scale can also hide all but one).
                warnings.append(String(format: "the frame rate %.6g fps (a frame every %.0f s) is implausible: the track's timing is damaged",
                                       fps, 1 / fps))
            }
            try checkTruncation(path: path, container: container, claimed: durationSec, statistics: statistics)
            if statistics.isFragmentedMP4, let claimed = durationSec, let end = statistics.dataEndSec, claimed > end * 1.5 + 1 {
                warnings.append(String(format: "header claims %.3f s; the fragments hold %.3f s", claimed, end))
                durationSec = end
            }
        }
        if durationSec == nil { durationSec = videoDurationFromPackets }

        let audio = audioStream.map { audioInfo($0) }
        if let audioStream, !audioStream.parameters.codecID.hasDecoder {
            warnings.append("no decoder for audio codec '\(audioStream.parameters.codecName)' in this FFmpeg: metadata only")
        }

        let mediaType = classify(container: container, video: video, hasAudio: audio != nil)
        // Subtitles or data alone, in a container libav only guessed at: nothing says this is media.
        if mediaType == "other" && input.formatWasGuessed {
            throw MediaError(path: path, code: .notMedia,
                             message: "no audio or video, and the \(container) format was only guessed from the data (libav: misdetection possible)")
        }
        let tags = input.metadata
        let mime = MIMETypes.mimeType(
            container: container, mediaType: mediaType, videoCodec: video?.codec,
            audioCodecs: streams.filter { $0.kind == .audio }.map { $0.parameters.codecName },
            majorBrand: tags["major_brand"], pathExtension: URL(fileURLWithPath: path).pathExtension,
            demuxerMIME: input.formatMIMEType)

        var bitRate = input.bitRate
        if bitRate == nil, let durationSec, durationSec > 0 { bitRate = Int64((Double(fileSize) * 8 / durationSec).rounded()) }

        let sha = computeSHA256 ? try FileDigest.sha256(ofFile: path) : nil
        let result = ProbeResult(
            path: path, fileSizeBytes: fileSize, sha256: sha, container: container, mimeType: mime,
            mediaType: mediaType, durationSec: durationSec, bitRate: bitRate,
            startTimeSec: input.startTime.map { Double($0) / 1_000_000 },
            video: video, audio: audio, streams: streams.map(streamInfo), tags: tags, warnings: warnings)
        return (result, decoded)
    }

    // MARK: Stream information

    /// Opens `path` and completes its stream information as cheaply as
    /// possible: the picture format comes from parsing the first packets'
    /// parameter sets (no decoding) and B-frames show as timestamps out of
    /// order; `avformat_find_stream_info` then runs without decoding those
    /// pictures (it still reads packets for durations and frame rates). It
    /// decodes up to several frames per stream otherwise, which dominates the
    /// cost of a probe. Codecs without a parser that tells the format, and
    /// files that cannot seek back to their start, take the ordinary path, unless an earlier
    /// opening of the same file decoded their pictures already (`known`): then they adopt
    /// what it found, and are not decoded again.
    /// - Returns: the open file, per parsed video stream its reordering delay, and what this
    ///   opening learnt by decoding (for the next).
    static func openDescribed(_ path: String, knowing known: DecodedStreamInfo? = nil) throws(MediaError)
        -> (input: InputFile, reorderDelays: [Int: Int], decoded: DecodedStreamInfo) {
        var input = try InputValidation.open(path)
        var parsed: [Int: ParsedVideo] = [:]
        if containersWithPresentationTimes.contains(input.formatName) {
            do {
                parsed = try parsePictureHeaders(input)
                let isMOV = input.formatName.hasPrefix("mov,mp4")
                // Matroska stores no decoding times: with B-frames, libavformat needs the
                // decoder's view to place the first frames, so decode as usual there.
                if !isMOV && parsed.values.contains(where: { $0.reorderDelay > 0 }) { parsed = [:] }
                // MP4/MOV seek exactly by their sample tables; elsewhere a seek back can leave
                // the demuxer's idea of the first timestamps changed, so open afresh.
                if isMOV { try input.seekToStart() } else { input = try InputValidation.open(path) }
            } catch {
                parsed = [:]
                input = try InputValidation.open(path)
            }
        }
        let streams = input.streams
        // The reordering delay goes in before stream info too: libavformat derives
        // missing decoding timestamps (and so start times) from it.
        for (index, video) in parsed {
            streams[index].adopt(video.picture)
            streams[index].setReorderDelay(video.reorderDelay)
        }
        let codecs = streams.map(\.parameters.codecID)
        var adopted: Set<Int> = []
        // Only where packets carry their presentation times: elsewhere (MPEG program streams, for
        // one) the decoder's frame rate also times the packets during stream info.
        if let known, known.codecs == codecs, containersWithPresentationTimes.contains(input.formatName) {
            for (index, parameters) in known.pictures where index < streams.count && parsed[index] == nil {
                streams[index].adopt(decoded: parameters)
                adopted.insert(index)
            }
        }
        do {
            try input.findStreamInfo(withoutDecoding: Set(parsed.keys).union(adopted))
        } catch {
            throw MediaError(path: path, libav: error)
        }
        for (index, video) in parsed { streams[index].setReorderDelay(video.reorderDelay) }
        var decoded: [Int: CodecParameters] = [:]
        for stream in streams where stream.kind == .video && parsed[stream.index] == nil {
            let parameters = stream.parameters
            if parameters.pixelFormat != .none { decoded[stream.index] = parameters }
        }
        return (input, parsed.mapValues(\.reorderDelay), DecodedStreamInfo(codecs: codecs, pictures: decoded))
    }

    /// What an opening learnt by decoding in its stream info: the picture parameters of the video
    /// streams no parser described (VP9's parser, for one, tells only the frame type). A later
    /// opening of the same file in the same run adopts them rather than decode again: for a 720p
    /// VP9 keyframe that is 8 ms, a fortieth of a 5 s clip's whole `segments` run, at each opening
    /// (the probe, the pass and every chunk worker open the file).
    struct DecodedStreamInfo: Sendable {
        /// Every stream's codec as the container's header names it (before stream info): a file
        /// whose streams differ is not the one described, and nothing is adopted.
        let codecs: [CodecID]
        /// By stream index, what stream info gave the video streams no parser described (decoded
        /// where the container did not tell the picture format).
        let pictures: [Int: CodecParameters]
    }

    /// Containers whose packets carry presentation times, so that reordering
    /// (B-frames) shows without decoding, and whose headers hold the rest.
    static let containersWithPresentationTimes: Set<String> = ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"]

    /// What the first packets of a video stream tell without decoding.
    struct ParsedVideo {
        var picture: ParsedPicture
        /// 1 when presentation order differs from decoding order (B-frames), else 0.
        var reorderDelay: Int
    }

    /// Reads the first packets of each video stream, parses their headers and
    /// notes whether presentation order differs from decoding order.
    /// - Returns: the video streams fully described, by index; empty when any is not.
    static func parsePictureHeaders(_ input: InputFile) throws(AVError) -> [Int: ParsedVideo] {
        let videoStreams = input.streams.filter { $0.kind == .video && !$0.isAttachedPicture && $0.parameters.pixelFormat == .none }
        guard !videoStreams.isEmpty else { return [:] }
        var parsers: [Int: CodecParser] = [:]
        for stream in videoStreams {
            guard let parser = try CodecParser(stream: stream) else { return [:] }
            parsers[stream.index] = parser
        }
        let packet = try Packet()
        var pictures: [Int: ParsedPicture] = [:]
        var seen: [Int: Int] = [:]
        var reordered: Set<Int> = []
        var latestPTS: [Int: Int64] = [:]
        let packetsForReordering = 48
        var packetsRead = 0
        while packetsRead < 400, try input.read(into: packet) == .packet {
            packetsRead += 1
            defer { packet.unreference() }
            let index = packet.streamIndex
            guard let parser = parsers[index] else { continue }
            if pictures[index] == nil, let picture = parser.parse(packet) { pictures[index] = picture }
            // A parser that reads no picture format from a keyframe (VP9's reads only the frame
            // type) reads none from the packets after it either: stop here rather than read on
            // through 400 packets (often the whole file) for the ordinary path anyway.
            if pictures[index] == nil && packet.isKeyframe { return [:] }
            guard packet.pts != Timestamp.none else { return [:] }  // no presentation times: cannot tell reordering
            seen[index, default: 0] += 1
            if let latest = latestPTS[index], packet.pts < latest { reordered.insert(index) }
            latestPTS[index] = max(latestPTS[index] ?? Int64.min, packet.pts)
            if parsers.keys.allSatisfy({ pictures[$0] != nil && (seen[$0] ?? 0) >= packetsForReordering }) { break }
        }
        guard pictures.count == parsers.count else { return [:] }
        var described: [Int: ParsedVideo] = [:]
        for (index, picture) in pictures {
            described[index] = ParsedVideo(picture: picture, reorderDelay: reordered.contains(index) ? 1 : 0)
        }
        return described
    }

    // MARK: Classification

    /// Image demuxers, and single-frame still-image codecs, make an image; cover art does not make a video.
    static func classify(container: String, video: ProbeResult.VideoInfo?, hasAudio: Bool) -> String {
        if let video {
            let stillCodecs: Set<String> = ["png", "mjpeg", "bmp", "webp", "tiff", "jpeg2000", "jpegls", "qoi", "ppm", "pgm", "psd", "exr", "dpx"]
            let isImageContainer = container == "image2" || container.hasSuffix("_pipe")
            if isImageContainer || (stillCodecs.contains(video.codec) && (video.frameCount ?? 0) <= 1) { return "image" }
            return "video"
        }
        return hasAudio ? "audio" : "other"
    }

    // MARK: Packets

    /// What the video packets say, from the container's index when it has a
    /// complete one (MP4/MOV), else from demuxing the stream (no decoding).
    struct PacketStatistics {
        var count: Int?
        var isConstantRate: Bool
        /// End of the last packet (presentation time), seconds.
        var dataEndSec: Double?
        /// Whether the packet data reaches past the end of the file (MP4) or to it (others).
        var dataPastEndOfFile: Bool
        var dataReachesEndOfFile: Bool
        var isFragmentedMP4: Bool
    }

    static func packetStatistics(input: InputFile, stream: MediaStream, fileSize: Int64, path: String) throws(MediaError) -> PacketStatistics {
        let isMOV = input.formatName.hasPrefix("mov,mp4")
        let timeBase = stream.timeBase
        if isMOV, let declared = stream.declaredFrameCount {
            let entries = stream.indexEntries
            if entries.count == Int(declared) {
                let times = entries.map(\.timestamp)
                let last = entries.max { $0.position + Int64($0.size) < $1.position + Int64($1.size) }
                let pastEnd = last.map { $0.position + Int64($0.size) > fileSize } ?? false
                var endSec: Double?
                if let lastTime = times.max() {
                    let lastDuration = times.count > 1 ? medianDelta(times.sorted()) : 0
                    endSec = Double(lastTime + lastDuration) * timeBase.doubleValue
                }
                return PacketStatistics(count: entries.count, isConstantRate: isConstant(times), dataEndSec: endSec,
                                        dataPastEndOfFile: pastEnd, dataReachesEndOfFile: pastEnd, isFragmentedMP4: false)
            }
        }
        // No complete index: demux the video stream alone and count.
        input.selectStreams([stream.index])
        let packet: Packet
        do { packet = try Packet() } catch { throw MediaError(path: path, libav: error) }
        var times: [Int64] = []
        var lastEnd: Int64?
        var furthestByte: Int64 = 0
        while true {
            let result: ReadResult
            do { result = try input.read(into: packet) } catch {
                // Damage after some packets: what was read stands (ffprobe counts the same way).
                if times.isEmpty { throw MediaError(path: path, libav: error) }
                break
            }
            if result == .endOfFile { break }
            if packet.streamIndex == stream.index {
                let time = packet.pts != Timestamp.none ? packet.pts : packet.dts
                times.append(time)
                if time != Timestamp.none { lastEnd = max(lastEnd ?? Int64.min, time + max(0, packet.duration)) }
                if packet.position >= 0 { furthestByte = max(furthestByte, packet.position + Int64(packet.size)) }
            }
            packet.unreference()
        }
        let valid = times.filter { $0 != Timestamp.none }.sorted()
        let start = stream.startTime ?? valid.first ?? 0
        return PacketStatistics(
            count: times.count, isConstantRate: isConstant(valid),
            dataEndSec: lastEnd.map { Double($0 - min(start, 0)) * timeBase.doubleValue },
            dataPastEndOfFile: false,
            dataReachesEndOfFile: furthestByte >= fileSize - 64 * 1024,
            isFragmentedMP4: isMOV)
    }

    /// Constant rate when every gap between consecutive timestamps is the
    /// median gap, give or take one tick or 1% (rounded time bases such as
    /// Matroska's milliseconds make 29.97 fps alternate between 33 and 34 ms).
    static func isConstant(_ timestamps: [Int64]) -> Bool {
        let sorted = timestamps.sorted()
        guard sorted.count > 2 else { return true }
        let median = medianDelta(sorted)
        let tolerance = max(1, median / 100)
        // The last gap is often short (a trimmed final frame); ignore it.
        for index in 1..<(sorted.count - 1) {
            let delta = sorted[index] - sorted[index - 1]
            if abs(delta - median) > tolerance { return false }
        }
        return true
    }

    static func medianDelta(_ sorted: [Int64]) -> Int64 {
        guard sorted.count > 1 else { return 0 }
        var deltas = (1..<sorted.count).map { sorted[$0] - sorted[$0 - 1] }
        deltas.sort()
        return deltas[deltas.count / 2]
    }

    /// The streams' own duration when the container's header claims far more than every stream holds and
    /// the video's packets agree with the streams: the header's field is wrong (an all-ones "unknown"
    /// duration such as 0xFFFFFFFF read as 4,294,967 s, or a movie time scale of 0 read as 1), not the file
    /// short (that is the truncation check's case, where the streams' headers claim the length too).
    static func headerOverclaim(claimed: Double, streams: [MediaStream], dataEnd: Double?) -> Double? {
        let held = streams.compactMap { stream in stream.duration.map { Double($0) * stream.timeBase.doubleValue } }
            .filter { $0.isFinite && $0 > 0 }.max()
        guard let held, claimed > held * 1.5 + 1 else { return nil }
        if let dataEnd, abs(dataEnd - held) > max(1, held * 0.1) { return nil }
        return held
    }

    /// Frames over the video stream's duration, when the track counts time in whole seconds (a time scale
    /// of 0 in the file, which FFmpeg reads as 1, turning 25 fps into 0.002) and the rate it states is off
    /// from that by more than a factor of two; nil otherwise. (Only then: a stated rate that differs from
    /// frames over duration is common in sound files, fragmented MP4 and WebM with gaps.)
    static func repairedFrameRate(_ video: ProbeResult.VideoInfo?, timeBase: Rational, streamDuration: Double?) -> Double? {
        guard timeBase.denominator == 1, let video, let fps = video.fps, fps > 0, let frames = video.frameCount, frames > 2,
              let duration = streamDuration, duration.isFinite, duration > 0 else { return nil }
        let measured = Double(frames) / duration
        guard damagedTiming(timeBase: timeBase, statedRate: fps, frameRate: measured) else { return nil }
        return roundTo(measured, places: 3)
    }

    /// Whether a track's timing is damaged: it counts whole seconds (a time scale of 0 in the file,
    /// read as 1) and the rate it states is off by more than a factor of two from `frameRate` (its
    /// frames over its duration). The probe repairs the rate by it; the analysis then times frames
    /// by their number at the repaired rate.
    static func damagedTiming(timeBase: Rational, statedRate: Double, frameRate: Double) -> Bool {
        timeBase.denominator == 1 && (statedRate < frameRate / 2 || statedRate > frameRate * 2)
    }

    /// A file whose packets point past its end (MP4), or whose data stops at
    /// the end of the file far short of the duration its header states, is
    /// truncated: say so rather than report a duration the file does not have.
    static func checkTruncation(path: String, container: String, claimed: Double?, statistics: PacketStatistics) throws(MediaError) {
        // (An index past the end was refused before by ``InputValidation/checkIndexWithinFile(_:path:claimed:)``;
        // the packets counted without an index can still reach past it.)
        if statistics.dataPastEndOfFile {
            throw InputValidation.truncatedIndex(path: path, claimed: claimed)
        }
        if !statistics.isFragmentedMP4, statistics.dataReachesEndOfFile, let claimed, let end = statistics.dataEndSec,
           claimed > end * 1.5 + 1 {
            throw MediaError(path: path, code: .truncated,
                             message: String(format: "file is truncated: header says %.3f s, media data ends at %.3f s", claimed, end))
        }
    }

    // MARK: Streams

    static func videoInfo(_ stream: MediaStream, statistics: PacketStatistics) -> ProbeResult.VideoInfo {
        let p = stream.parameters
        let rotation = stream.rotation
        var sar = stream.sampleAspectRatio.isValid ? stream.sampleAspectRatio : p.sampleAspectRatio
        if !sar.isValid { sar = Rational(1, 1) }
        sar = sar.reduced
        var displayWidth = Int((Double(p.width) * sar.doubleValue).rounded())
        var displayHeight = p.height
        if rotation == 90 || rotation == 270 { swap(&displayWidth, &displayHeight) }
        let rate = stream.averageFrameRate.isValid ? stream.averageFrameRate : stream.realFrameRate
        return ProbeResult.VideoInfo(
            streamIndex: stream.index, codec: p.codecName, profile: p.profileName,
            width: p.width, height: p.height, displayWidth: displayWidth, displayHeight: displayHeight,
            rotation: rotation, sampleAspectRatio: "\(sar.numerator):\(sar.denominator)",
            pixelFormat: p.pixelFormat.name, bitDepth: p.pixelFormat.bitDepth ?? (p.bitsPerRawSample > 0 ? p.bitsPerRawSample : nil),
            fps: rate.isValid ? roundTo(rate.doubleValue, places: 6) : nil,
            frameRateMode: statistics.isConstantRate ? "cfr" : "vfr",
            frameCount: statistics.count, fieldOrder: p.fieldOrder.rawValue, hasBFrames: p.videoDelay > 0,
            bitRate: p.bitRate > 0 ? p.bitRate : nil, timeBase: stream.timeBase.description,
            startTimeSec: stream.startTime.map { Double($0) * stream.timeBase.doubleValue },
            durationSec: stream.duration.map { Double($0) * stream.timeBase.doubleValue },
            decodable: p.codecID.hasDecoder)
    }

    static func audioInfo(_ stream: MediaStream) -> ProbeResult.AudioInfo {
        let p = stream.parameters
        return ProbeResult.AudioInfo(
            streamIndex: stream.index, codec: p.codecName, profile: p.profileName, sampleRate: p.sampleRate,
            channels: p.channelLayout?.channelCount ?? 0, channelLayout: p.channelLayout?.name,
            sampleFormat: p.sampleFormat.name, bitRate: p.bitRate > 0 ? p.bitRate : nil,
            durationSec: stream.duration.map { Double($0) * stream.timeBase.doubleValue },
            decodable: p.codecID.hasDecoder)
    }

    static func streamInfo(_ stream: MediaStream) -> ProbeResult.StreamInfo {
        let p = stream.parameters
        let tags = stream.metadata
        return ProbeResult.StreamInfo(
            index: stream.index, type: p.kind.rawValue, codec: p.codecName, profile: p.profileName,
            timeBase: stream.timeBase.description,
            startTimeSec: stream.startTime.map { Double($0) * stream.timeBase.doubleValue },
            durationSec: stream.duration.map { Double($0) * stream.timeBase.doubleValue },
            bitRate: p.bitRate > 0 ? p.bitRate : nil,
            width: p.kind == .video ? p.width : nil, height: p.kind == .video ? p.height : nil,
            sampleRate: p.kind == .audio ? p.sampleRate : nil, channels: p.kind == .audio ? p.channelLayout?.channelCount : nil,
            language: tags["language"], isDefault: stream.isDefault, isAttachedPicture: stream.isAttachedPicture, tags: tags)
    }

    static func roundTo(_ value: Double, places: Int) -> Double {
        let scale = pow(10.0, Double(places))
        return (value * scale).rounded() / scale
    }
}
