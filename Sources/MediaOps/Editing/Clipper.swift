import Foundation
import LibAV

/// Cuts a time range out of a media file: `copy`, `exact` or `smart`
/// (see ``ClipMode``). The output is written beside its final path and
/// renamed into place only when complete.
///
/// ```swift
/// let result = try Clipper.clip(ClipRequest(input: "in.mp4", output: "out.mp4", start: 2, end: 5, mode: .smart)) { fraction in
///     print(fraction)
/// }
/// ```
public enum Clipper {
    /// - Parameters:
    ///   - request: input, output, range, mode and quality.
    ///   - progress: called now and then with the fraction of the range written.
    /// - Returns: what was written, with the range it really presents.
    /// - Throws: ``MediaError`` for bad input (missing file, no video, a range
    ///   outside the media, `start >= end`), a bad output path, or a libav failure.
    public static func clip(_ request: ClipRequest, progress: EditingProgress? = nil) throws(MediaError) -> ClipResult {
        if request.mode != .copy { try request.quality.validate(path: request.input) }
        let source = try ClipSource(path: request.input)
        try source.validate(start: request.start, end: request.end)
        let destination = try OutputDestination(path: request.output, inputs: [request.input])
        defer { destination.discardIfUncommitted() }
        var result: ClipResult
        switch request.mode {
        case .copy:
            result = try CopyClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
        case .exact:
            result = try ExactClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
        case .smart:
            do {
                result = try SmartClip.write(source: source, request: request, to: destination.temporaryPath, progress: progress)
            } catch let refusal as SmartClip.Refusal {
                try? FileManager.default.removeItem(atPath: destination.temporaryPath)
                let again = try ClipSource(path: request.input)
                result = try ExactClip.write(source: again, request: request, to: destination.temporaryPath, progress: progress)
                result.fallback = refusal.reason
            } catch let error as MediaError {
                throw error
            } catch let error as AVError {
                throw source.libavError(error)
            } catch {
                throw MediaError(path: request.input, code: .libav, message: "\(error)")
            }
        }
        try destination.commit()
        result.output = request.output
        progress?(1)
        return result
    }
}

/// `clip --mode copy`: packets copied, nothing re-encoded.
enum CopyClip {
    static func write(source: ClipSource, request: ClipRequest, to path: String, progress: EditingProgress?) throws(MediaError) -> ClipResult {
        let start = source.timestamp(seconds: request.start)
        let end = source.timestamp(seconds: request.end)
        let scan = try VideoRangeScan.scan(source, start: start, end: end, detectIDR: false)
        guard let firstIncluded = scan.firstIncludedPTS, let lastNeeded = scan.lastNeededIndex else {
            throw MediaError(path: source.path, code: .invalidRange, message: "no video frame is shown between \(format(request.start)) s and \(format(request.end)) s")
        }
        do {
            let output = try OutputFile(path: path)
            let editList = CompanionStreams.editListFormats.contains(output.formatName)
            let copiedIndices = (scan.keyIndex...lastNeeded).filter { !scan.isLeading($0, after: scan.keyIndex) }
            let presentedStart: Int64, presentedEnd: Int64, frames: Int
            if editList {
                presentedStart = firstIncluded
                presentedEnd = scan.nextFramePTS ?? scan.includedEnd ?? end
                frames = scan.includedFrames
            } else {
                presentedStart = copiedIndices.map { scan.packets[$0].pts }.min() ?? firstIncluded
                presentedEnd = copiedIndices.map { scan.packets[$0].pts + max(scan.packets[$0].duration, 0) }.max() ?? end
                frames = copiedIndices.count
            }
            let videoOut = try output.addStream(copying: source.video)
            let companions = try CompanionStreams.add(from: source, to: output)
            try output.writeHeader(options: muxerOptions(output: output, source: source, editList: editList))
            var filter = CompanionPacketFilter(source: source, rangeStart: presentedStart, rangeEnd: presentedEnd, offset: presentedStart)
            try source.input.seek(stream: source.videoIndex, toKeyframeBefore: scan.seekTarget)
            let packet = try Packet()
            var videoCount = 0
            while try source.input.read(into: packet) == .packet {
                defer { packet.unreference() }
                if packet.streamIndex == source.videoIndex {
                    let index = videoCount
                    videoCount += 1
                    guard index <= lastNeeded else { if filter.audioComplete(companions.copied) { break } else { continue } }
                    guard index >= scan.keyIndex, !scan.isLeading(index, after: scan.keyIndex) else { continue }
                    packet.pts = scan.packets[index].pts - presentedStart
                    packet.dts = scan.packets[index].dts - presentedStart
                    try output.write(packet, from: source.timeBase, toStream: videoOut)
                    if let progress, index % 25 == 0 { progress(Double(index) / Double(max(1, lastNeeded))) }
                } else if let outIndex = companions.copied[packet.streamIndex] {
                    let base = source.input.streams[packet.streamIndex].timeBase
                    if filter.admit(packet) { try output.write(packet, from: base, toStream: outIndex) }
                    if videoCount > lastNeeded && filter.audioComplete(companions.copied) { break }
                }
            }
            try output.finish()
            if editList {
                let seconds = Timestamp(presentedEnd - presentedStart, source.timeBase).seconds
                try MovieEditList.setPresentedDurations(path: path, durations: Dictionary(uniqueKeysWithValues: (0..<output.streamCount).map { ($0, seconds) }))
            }
            _ = videoOut
            return ClipResult(output: request.output, mode: .copy,
                              requested: .init(start: request.start, end: request.end),
                              actual: PresentedRange(start: source.seconds(presentedStart), end: source.seconds(presentedEnd), frames: frames),
                              fallback: nil, warnings: companions.warnings)
        } catch let error as MediaError {
            throw error
        } catch let error as AVError {
            throw source.libavError(error)
        } catch {
            throw MediaError(path: source.path, code: .libav, message: "\(error)")
        }
    }

    /// MP4/MOV: edit lists on, and a movie timescale equal to the video's so
    /// that the edit that ends the clip falls exactly between two frames.
    static func muxerOptions(output: OutputFile, source: ClipSource, editList: Bool) -> [String: String] {
        guard editList else { return [:] }
        var options = ["use_editlist": "1"]
        let base = source.timeBase
        if base.numerator == 1 && base.denominator > 0 { options["movie_timescale"] = String(base.denominator) }
        return options
    }
}
