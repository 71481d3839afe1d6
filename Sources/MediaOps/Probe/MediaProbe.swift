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
        let fileSize = try InputValidation.checkReadableFile(path)
        let input = try InputValidation.openWithStreamInfo(path)
        let streams = input.streams
        guard !streams.isEmpty else {
            throw MediaError(path: path, code: .notMedia, message: "no audio or video streams (\(input.formatName) container with nothing in it)")
        }
        var warnings: [String] = []
        let videoStream = input.bestStream(.video)
        let audioStream = input.bestStream(.audio)
        let container = input.formatName

        var durationSec = input.duration.map { Double($0) / 1_000_000 }
        var video: ProbeResult.VideoInfo?
        var videoDurationFromPackets: Double?
        if let videoStream {
            let statistics = try packetStatistics(input: input, stream: videoStream, fileSize: fileSize, path: path)
            video = videoInfo(videoStream, statistics: statistics)
            videoDurationFromPackets = statistics.dataEndSec
            if !videoStream.parameters.codecID.hasDecoder {
                warnings.append("no decoder for video codec '\(videoStream.parameters.codecName)' in this FFmpeg: metadata only")
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
        let tags = input.metadata
        let mime = MIMETypes.mimeType(
            container: container, mediaType: mediaType, videoCodec: video?.codec,
            audioCodecs: streams.filter { $0.kind == .audio }.map { $0.parameters.codecName },
            majorBrand: tags["major_brand"], pathExtension: URL(fileURLWithPath: path).pathExtension,
            demuxerMIME: input.formatMIMEType)

        var bitRate = input.bitRate
        if bitRate == nil, let durationSec, durationSec > 0 { bitRate = Int64((Double(fileSize) * 8 / durationSec).rounded()) }

        let sha = computeSHA256 ? try FileDigest.sha256(ofFile: path) : nil
        return ProbeResult(
            path: path, fileSizeBytes: fileSize, sha256: sha, container: container, mimeType: mime,
            mediaType: mediaType, durationSec: durationSec, bitRate: bitRate,
            startTimeSec: input.startTime.map { Double($0) / 1_000_000 },
            video: video, audio: audio, streams: streams.map(streamInfo), tags: tags, warnings: warnings)
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
            let entries = input.indexEntries(stream: stream.index)
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

    /// A file whose packets point past its end (MP4), or whose data stops at
    /// the end of the file far short of the duration its header states, is
    /// truncated: say so rather than report a duration the file does not have.
    static func checkTruncation(path: String, container: String, claimed: Double?, statistics: PacketStatistics) throws(MediaError) {
        if statistics.dataPastEndOfFile {
            throw MediaError(path: path, code: .truncated,
                             message: "file is truncated: its index points past the end of the file" +
                                (claimed.map { String(format: " (header says %.3f s)", $0) } ?? ""))
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
