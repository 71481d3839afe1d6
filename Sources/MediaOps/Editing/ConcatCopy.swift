import LibAV

/// `concat --mode copy`: packets of every input copied one after another,
/// timestamps shifted so that each input starts where the previous ended.
enum ConcatCopy {
    /// Inputs that agree on parameters but whose timestamps cannot be joined as they are.
    struct Conflict: Error, Sendable {
        var path: String
        var reason: String
    }

    static func write(_ inputs: [ConcatInput], to path: String, progress: EditingProgress?) throws -> ConcatResult {
        let first = inputs[0]
        let output = try OutputFile(path: path)
        let videoOut = try output.addStream(copying: first.video)
        var audioOut: Int? = nil
        if let audio = first.audio {
            guard output.mayStore(audio.parameters.codecID) else {
                throw Conflict(path: first.path, reason: "\(output.formatName) cannot store \(audio.parameters.codecName) audio")
            }
            audioOut = try output.addStream(copying: audio)
        }
        guard output.mayStore(first.video.parameters.codecID) else {
            throw Conflict(path: first.path, reason: "\(output.formatName) cannot store \(first.video.parameters.codecName) video")
        }
        let editList = CompanionStreams.editListFormats.contains(output.formatName)
        do {
            try output.writeHeader(options: editList ? ["use_editlist": "1"] : [:])
        } catch {
            throw Conflict(path: first.path, reason: "\(output.formatName) cannot store this \(first.video.parameters.codecName) stream as it is (\(error.message))")
        }
        let videoBase = first.video.timeBase
        let audioBase = first.audio?.timeBase ?? Rational(1, 48000)
        let reference = AVCConfiguration(first.video.extradata)
        var joinPoint: Int64 = 0
        var lastVideoDTS = Int64.min
        var lastAudioEnd = Int64.min
        var summaries: [ConcatInputSummary] = []
        var totalFrames = 0
        let packet = try Packet()
        for (position, input) in inputs.enumerated() {
            // Inputs whose parameter sets differ from the first's carry their own in-band at every keyframe.
            var inBand: [ArraySlice<UInt8>] = []
            if let reference, let own = AVCConfiguration(input.video.extradata), own != reference {
                inBand = (own.sequenceParameterSets + own.pictureParameterSets).map { $0[...] }
            }
            let videoShift = joinPoint - rescale(input.videoStart, from: input.video.timeBase, to: videoBase)
            let audioShift = rescale(joinPoint, from: videoBase, to: audioBase) - rescale(input.videoStart, from: input.video.timeBase, to: audioBase)
            var end = joinPoint
            var frames = 0
            var shownAny = false
            while try read(input, into: packet) == .packet {
                defer { packet.unreference() }
                if packet.streamIndex == input.video.index {
                    if packet.pts == Timestamp.none && input.video.reorderDepth > 0 {
                        throw Conflict(path: input.path, reason: "the reordered video packets of \(input.path) carry no presentation times")
                    }
                    if packet.isDiscard && (position > 0 || shownAny) {
                        throw Conflict(path: input.path, reason: "\(input.path) has frames its edit list hides; they would be shown")
                    }
                    let sourceBase = input.video.timeBase
                    // A copy keeps the input's timing: one that reaches days on is damage (as a re-encoded join refuses it).
                    if packet.pts != Timestamp.none {
                        try PlausibleTiming.checkReach(packet.pts, after: input.videoStart, in: sourceBase, of: input.path)
                    }
                    let pts = packet.pts == Timestamp.none ? Timestamp.none : rescale(packet.pts, from: sourceBase, to: videoBase) + videoShift
                    // Matroska gives no decoding time for the first packets after a seek or
                    // at the start: place them just after the previous one (or, first of
                    // all, the reordering depth before their presentation).
                    var dts: Int64
                    if packet.dts != Timestamp.none {
                        dts = rescale(packet.dts, from: sourceBase, to: videoBase) + videoShift
                    } else if lastVideoDTS != Int64.min {
                        dts = lastVideoDTS + 1
                    } else {
                        let frame = rescale(max(packet.duration, 1), from: sourceBase, to: videoBase)
                        dts = pts == Timestamp.none ? 0 : pts - Int64(input.video.reorderDepth) * frame
                    }
                    if dts != Timestamp.none && lastVideoDTS != Int64.min && dts <= lastVideoDTS { dts = lastVideoDTS + 1 }
                    if pts != Timestamp.none && dts != Timestamp.none && pts < dts {
                        throw Conflict(path: input.path, reason: "decoding times of \(input.path) overlap the previous input's (different reordering delay)")
                    }
                    let duration = rescale(packet.duration, from: sourceBase, to: videoBase)
                    packet.pts = pts
                    packet.dts = dts
                    packet.duration = duration
                    if dts != Timestamp.none { lastVideoDTS = dts }
                    if !packet.isDiscard {
                        shownAny = true
                        frames += 1
                        if pts != Timestamp.none { end = max(end, pts + max(duration, 0)) }
                    }
                    if !inBand.isEmpty && packet.isKeyframe {
                        let payload = packet.data
                        try packet.replacePayload(with: H264Bitstream.lengthPrefixed(inBand, lengthSize: reference?.lengthSize ?? 4) + payload)
                    }
                    try write(packet, from: videoBase, toStream: videoOut, of: input, output: output)
                } else if let audioOut, let audioStream = input.audio, packet.streamIndex == audioStream.index {
                    let sourceBase = audioStream.timeBase
                    guard packet.pts != Timestamp.none else { continue }
                    var pts = rescale(packet.pts, from: sourceBase, to: audioBase) + audioShift
                    let duration = max(0, rescale(packet.duration, from: sourceBase, to: audioBase))
                    // Sound must not overlap at a join: a packet that would start
                    // mostly inside the previous input's last one is dropped, one
                    // that starts a little early is moved to where that one ends.
                    if lastAudioEnd != Int64.min {
                        if pts + duration / 2 < lastAudioEnd { continue }
                        if pts < lastAudioEnd { pts = lastAudioEnd }
                    }
                    packet.pts = pts
                    packet.dts = pts
                    packet.duration = duration
                    // A packet of no length (a damaged index gives some) still takes one tick: the next one
                    // must come after it, or the muxer refuses the join (equal decoding times).
                    lastAudioEnd = pts + max(duration, 1)
                    try write(packet, from: audioBase, toStream: audioOut, of: input, output: output)
                }
            }
            summaries.append(ConcatInputSummary(path: input.path, offsetSec: Timestamp(joinPoint, videoBase).seconds,
                                                durationSec: Timestamp(end - joinPoint, videoBase).seconds, frames: frames,
                                                droppedDuplicateFrame: false))
            totalFrames += frames
            joinPoint = end
            progress?(Double(position + 1) / Double(inputs.count))
        }
        guard totalFrames > 0 else {
            throw MediaError(path: first.path, code: .corrupt, message: "no input has a video frame to join")
        }
        try output.finish()
        return ConcatResult(output: path, modeUsed: .copy, inputs: summaries, durationSec: Timestamp(joinPoint, videoBase).seconds,
                            frames: totalFrames, reason: nil, warnings: [])
    }

    /// Reads the next packet of `input`. A read that fails is the input's (a damaged tail, a size field no
    /// packet can have), not the output's: a copy cannot carry it over, and re-encoding ends the input
    /// there and keeps what it read (``DamageTolerance``), as the ffmpeg command line does.
    private static func read(_ input: ConcatInput, into packet: Packet) throws -> ReadResult {
        do throws(AVError) {
            return try input.input.read(into: packet)
        } catch {
            throw Conflict(path: input.path, reason: "\(input.path) cannot be read to its end (\(error.detail))")
        }
    }

    /// Writes a copied packet of `input`. A packet the muxer finds damaged (a block zeroed over an ADTS
    /// header: the filter that turns ADTS into MP4's AAC refuses it) is the input's: copying it cannot
    /// work, and re-encoding skips damaged packets.
    private static func write(_ packet: Packet, from base: Rational, toStream index: Int, of input: ConcatInput, output: OutputFile) throws {
        do throws(AVError) {
            try output.write(packet, from: base, toStream: index)
        } catch {
            guard error.code == AVError.invalidDataCode else { throw error }
            throw Conflict(path: input.path, reason: "\(input.path) has a packet \(output.formatName) refuses as damaged (\(error.detail))")
        }
    }
}
