import LibAV

/// `clip --mode copy`: packets copied, nothing re-encoded.
enum CopyClip {
    /// The copying loop of the copy and smart cuts: from the scan's seek
    /// target, writes the video packets numbered `copied` (in reading order,
    /// as ``VideoRangeScan`` numbered them) with their scanned timestamps less
    /// `offset`, and the companion packets `filter` admits, until the video is
    /// past `lastNeeded` and the sound has reached the range's end. `adjust`
    /// sees each video packet just before it is written (timeline joins shift
    /// decoding times and add parameter sets).
    static func copyPackets(source: ClipSource, scan: VideoRangeScan, copied: Set<Int>, lastNeeded: Int, offset: Int64,
                            to output: OutputFile, videoStream videoOut: Int, companions: CompanionStreams,
                            filter: inout CompanionPacketFilter, progress: EditingProgress?,
                            adjust: ((_ index: Int, _ packet: Packet) throws -> Void)? = nil) throws {
        try VideoRangeScan.seek(source, to: scan.seekTarget)
        let packet = try Packet()
        var videoCount = 0
        var lastDTS: Int64?
        while try source.input.read(into: packet) == .packet {
            defer { packet.unreference() }
            if packet.streamIndex == source.videoIndex {
                let index = videoCount
                videoCount += 1
                if index > lastNeeded { if filter.audioComplete(companions.copied) { break } else { continue } }
                guard copied.contains(index) else { continue }
                packet.pts = scan.packets[index].pts - offset
                packet.dts = scan.packets[index].dts - offset
                try adjust?(index, packet)
                // The muxer refuses decoding times that go back, or stand still in MP4 ("Invalid argument"): a copy
                // cannot mend them (a Matroska writer clamps a clock that went back to repeat the last time).
                if packet.dts != Timestamp.none {
                    if let lastDTS, packet.dts < lastDTS || (packet.dts == lastDTS && output.refusesRepeatedTimestamps) {
                        throw MediaError(path: source.path, code: .corrupt,
                                         message: "its decoding times \(packet.dts < lastDTS ? "go back" : "stand still") at video packet \(index + 1), which a copy keeps; use --mode exact")
                    }
                    lastDTS = packet.dts
                }
                try output.write(packet, from: source.timeBase, toStream: videoOut)
                if let progress, index % 25 == 0 { progress(Double(index) / Double(max(1, lastNeeded))) }
            } else if let outIndex = companions.copied[packet.streamIndex] {
                if filter.admit(packet) { try output.write(packet, from: source.input.streams[packet.streamIndex].timeBase, toStream: outIndex) }
                if videoCount > lastNeeded && filter.audioComplete(companions.copied) { break }
            }
        }
    }

    static func write(source: ClipSource, request: ClipRequest, to path: String, progress: EditingProgress?) throws(MediaError) -> ClipResult {
        let start = source.timestamp(seconds: request.start)
        let end = source.timestamp(seconds: request.end)
        let scan = try VideoRangeScan.scan(source, start: start, end: end, detectIDR: false)
        if scan.lacksPresentationTimes {
            throw MediaError(path: source.path, code: .unsupportedCodec,
                             message: "its reordered video packets (B-frames) carry no presentation times, so they cannot be cut by copying; use --mode exact")
        }
        guard let firstIncluded = scan.firstIncludedPTS, let lastNeeded = scan.lastNeededIndex else {
            throw MediaError(path: source.path, code: .invalidRange, message: "no video frame is shown between \(secondsText(request.start)) s and \(secondsText(request.end)) s")
        }
        do {
            let output = try OutputFile(path: path)
            guard output.mayStore(source.video.parameters.codecID) else {
                throw MediaError(path: source.path, code: .unsupportedCodec,
                                 message: "\(output.formatName) cannot store \(source.video.parameters.codecName) video without re-encoding; use --mode exact or another container")
            }
            let editList = CompanionStreams.editListFormats.contains(output.formatName)
            let copiedIndices = (scan.keyIndex...lastNeeded).filter { !scan.isLeading($0, after: scan.keyIndex) }
            let presentedStart: Int64, presentedEnd: Int64, frames: Int
            if editList {
                presentedStart = firstIncluded
                presentedEnd = source.presentedEnd(next: scan.nextFramePTS, lastEnd: scan.includedEnd, requestedEnd: end)
                frames = scan.includedFrames
            } else {
                presentedStart = copiedIndices.map { scan.packets[$0].pts }.min() ?? firstIncluded
                presentedEnd = copiedIndices.map { scan.packets[$0].pts + max(scan.packets[$0].duration, 0) }.max() ?? end
                frames = copiedIndices.count
            }
            let videoOut = try output.addStream(copying: source.video)
            let companions = try CompanionStreams.add(from: source, to: output)
            do {
                try output.writeHeader(options: muxerOptions(output: output, source: source, editList: editList))
            } catch {
                throw MediaError(path: source.path, code: .unsupportedCodec,
                                 message: "\(output.formatName) cannot store this \(source.video.parameters.codecName) stream as it is (\(error.message)); use --mode exact or another container")
            }
            var filter = CompanionPacketFilter(source: source, rangeStart: presentedStart, rangeEnd: presentedEnd, offset: presentedStart)
            try copyPackets(source: source, scan: scan, copied: Set(copiedIndices), lastNeeded: lastNeeded, offset: presentedStart,
                            to: output, videoStream: videoOut, companions: companions, filter: &filter, progress: progress)
            try output.finish()
            if editList {
                let seconds = Timestamp(presentedEnd - presentedStart, source.timeBase).seconds
                try MovieEditList.setPresentedDurations(path: path, durations: Dictionary(uniqueKeysWithValues: (0..<output.streamCount).map { ($0, seconds) }))
            }
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

    /// MP4/MOV: edit lists on, and the source's timescale for the video track
    /// and the movie, so that timestamps stay the source's exactly and the edit
    /// that ends the clip falls exactly between two frames.
    static func muxerOptions(output: OutputFile, source: ClipSource, editList: Bool) -> [String: String] {
        guard CompanionStreams.editListFormats.contains(output.formatName) else { return [:] }
        var options: [String: String] = editList ? ["use_editlist": "1"] : [:]
        let base = source.timeBase
        if base.numerator == 1 && base.denominator > 0 {
            options["movie_timescale"] = String(base.denominator)
            options["video_track_timescale"] = String(base.denominator)
        }
        return options
    }
}
