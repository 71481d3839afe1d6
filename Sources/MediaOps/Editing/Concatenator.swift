import Foundation
import LibAV

/// Joins media files one after another into one video (``ConcatMode``).
///
/// ```swift
/// let result = try Concatenator.concat(ConcatRequest(inputs: ["a.mp4", "b.mp4"], output: "ab.mp4", mode: .auto))
/// print(result.modeUsed, result.durationSec)
/// ```
public enum Concatenator {
    /// - Parameters:
    ///   - request: inputs in order, output, mode and re-encoding settings.
    ///   - progress: called now and then with the fraction of the inputs done.
    /// - Returns: the mode used, where each input landed, the total duration and frame count.
    /// - Throws: ``MediaError``: a bad input (named), `incompatible_inputs` for
    ///   `copy` on inputs that differ (naming the difference), or a bad output path.
    public static func concat(_ request: ConcatRequest, progress: EditingProgress? = nil) throws(MediaError) -> ConcatResult {
        guard let firstPath = request.inputs.first else {
            throw MediaError(path: request.output, code: .invalidArgument, message: "no inputs to join")
        }
        try request.quality.validate(path: firstPath)
        if let rate = request.frameRate, !(rate > 0 && rate <= 240) {
            throw MediaError(path: firstPath, code: .invalidArgument, message: "--fps must be above 0 and at most 240, not \(rate)")
        }
        let inputs = try request.inputs.map { path throws(MediaError) in try ConcatInput(path: path) }
        let destination = try OutputDestination(path: request.output, inputs: request.inputs)
        defer { destination.discardIfUncommitted() }

        var duplicates = [Bool](repeating: false, count: inputs.count)
        if request.trimDuplicateJoins {
            for index in inputs.indices.dropFirst() {
                duplicates[index] = try DuplicateJoin.repeats(previous: inputs[index - 1].path, next: inputs[index].path)
            }
        }
        let mismatch = inputs.dropFirst().lazy.compactMap {
            $0.signature.difference(from: inputs[0].signature, path: $0.path, referencePath: inputs[0].path)
        }.first
        let duplicateNote = duplicates.firstIndex(of: true).map {
            "\(inputs[$0].path) starts on the last frame of \(inputs[$0 - 1].path); dropping it needs re-encoding"
        }

        var result: ConcatResult
        switch request.mode {
        case .copy:
            if let reason = mismatch ?? duplicateNote {
                throw MediaError(path: request.output, code: .incompatibleInputs, message: "cannot join without re-encoding: \(reason)")
            }
            do {
                result = try ConcatCopy.write(inputs, to: destination.temporaryPath, progress: progress)
            } catch let conflict as ConcatCopy.Conflict {
                throw MediaError(path: conflict.path, code: .incompatibleInputs, message: "cannot join without re-encoding: \(conflict.reason)")
            } catch {
                throw mediaError(error, path: request.output)
            }
        case .auto:
            if let reason = mismatch ?? duplicateNote {
                result = try reencode(request, inputs: inputs, duplicates: duplicates, to: destination, progress: progress)
                result.reason = reason
            } else {
                do {
                    result = try ConcatCopy.write(inputs, to: destination.temporaryPath, progress: progress)
                } catch let conflict as ConcatCopy.Conflict {
                    try? FileManager.default.removeItem(atPath: destination.temporaryPath)
                    let reopened = try request.inputs.map { path throws(MediaError) in try ConcatInput(path: path) }
                    result = try reencode(request, inputs: reopened, duplicates: duplicates, to: destination, progress: progress)
                    result.reason = conflict.reason
                } catch {
                    throw mediaError(error, path: request.output)
                }
            }
        case .reencode:
            result = try reencode(request, inputs: inputs, duplicates: duplicates, to: destination, progress: progress)
        }
        try destination.commit()
        result.output = request.output
        progress?(1)
        return result
    }

    private static func reencode(_ request: ConcatRequest, inputs: [ConcatInput], duplicates: [Bool], to destination: OutputDestination,
                                 progress: EditingProgress?) throws(MediaError) -> ConcatResult {
        do {
            return try ConcatReencode.write(inputs, request: request, duplicates: duplicates, to: destination.temporaryPath, progress: progress)
        } catch {
            throw mediaError(error, path: request.output)
        }
    }

    static func mediaError(_ error: any Error, path: String) -> MediaError {
        if let error = error as? MediaError { return error }
        if let error = error as? AVError { return MediaError(path: path, libav: error) }
        return MediaError(path: path, code: .libav, message: "\(error)")
    }
}

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
        try output.writeHeader(options: editList ? ["use_editlist": "1"] : [:])
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
            while try input.input.read(into: packet) == .packet {
                defer { packet.unreference() }
                if packet.streamIndex == input.video.index {
                    if packet.isDiscard && (position > 0 || shownAny) {
                        throw Conflict(path: input.path, reason: "\(input.path) has frames its edit list hides; they would be shown")
                    }
                    let sourceBase = input.video.timeBase
                    let pts = packet.pts == Timestamp.none ? Timestamp.none : rescale(packet.pts, from: sourceBase, to: videoBase) + videoShift
                    var dts = packet.dts == Timestamp.none ? pts : rescale(packet.dts, from: sourceBase, to: videoBase) + videoShift
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
                    try output.write(packet, from: videoBase, toStream: videoOut)
                } else if let audioOut, packet.streamIndex == input.audio?.index {
                    let sourceBase = input.audio!.timeBase
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
                    lastAudioEnd = pts + duration
                    try output.write(packet, from: audioBase, toStream: audioOut)
                }
            }
            summaries.append(ConcatInputSummary(path: input.path, offsetSec: Timestamp(joinPoint, videoBase).seconds,
                                                durationSec: Timestamp(end - joinPoint, videoBase).seconds, frames: frames,
                                                droppedDuplicateFrame: false))
            totalFrames += frames
            joinPoint = end
            progress?(Double(position + 1) / Double(inputs.count))
        }
        try output.finish()
        return ConcatResult(output: path, modeUsed: .copy, inputs: summaries, durationSec: Timestamp(joinPoint, videoBase).seconds,
                            frames: totalFrames, reason: nil, warnings: [])
    }
}
