import LibAV

/// `concat --mode reencode`: every input decoded and re-encoded to one picture
/// size (kept in aspect with black bars), one constant frame rate, one pixel
/// format, and one audio rate and layout.
///
/// Each input occupies a whole number of output frames, and its sound is cut
/// or padded with silence (inputs without sound get silence) to exactly the
/// samples those frames last, so picture and sound stay in step at every join.
enum ConcatReencode {
    static func write(_ inputs: [ConcatInput], request: ConcatRequest, duplicates: [Bool], to path: String,
                      progress: EditingProgress?) throws -> ConcatResult {
        let first = inputs[0]
        let firstParameters = first.video.parameters
        let size = request.size ?? PictureSize(width: max(2, firstParameters.width & ~1), height: max(2, firstParameters.height & ~1))
        let rate: Rational = {
            if let fps = request.frameRate { return Rational(approximating: fps, maxDenominator: 1001 * 1000).reduced }
            return PlausibleTiming.frameRate(of: first.video) ?? Rational(25, 1)
        }()
        let frameBase = rate.inverted
        let output = try OutputFile(path: path)
        let codecs = try ReencodedCodecs.choose(for: output, quality: request.quality, withSound: inputs.contains { $0.audio != nil },
                                                path: request.output)
        let pixelFormat = VideoTrackEncoder.encodablePixelFormat(firstParameters.pixelFormat, width: size.width, height: size.height,
                                                                 encoder: codecs.quality.encoderName)
        let picture = VideoTrackEncoder.Picture(
            width: size.width, height: size.height, pixelFormat: pixelFormat, sampleAspectRatio: Rational(1, 1),
            timeBase: frameBase, frameRate: rate, colorimetry: firstParameters.colorimetry)
        let video = try videoEncoder(picture: picture, quality: codecs.quality, request: request, output: output, sizeOf: first.path)
        // Pictures are not turned: the output shows them as the first input asks, and says when others ask otherwise.
        var warnings: [String] = []
        if let matrix = first.video.displayMatrix { try output.setDisplayMatrix(stream: video.outputIndex, matrix) }
        let turnable = (try? Frame(width: 2, height: 2, pixelFormat: pixelFormat).rotated(clockwiseQuarterTurns: 1)) != nil
        if !turnable {
            for input in inputs.dropFirst() where input.video.rotation != first.video.rotation {
                warnings.append("\(input.path) is rotated \(input.video.rotation)° but \(pixelFormat) pictures are not turned; the output keeps \(first.path)'s \(first.video.rotation)°")
            }
        }
        var sound: AudioTrackEncoder? = nil
        if let reference = inputs.lazy.compactMap(\.audio).first {
            let parameters = reference.parameters
            sound = try AudioTrackEncoder(output: output, sampleRate: parameters.sampleRate,
                                          layout: parameters.channelLayout ?? ChannelLayout(defaultFor: 2), codec: codecs.sound)
        }
        do { try output.writeHeader() } catch { throw ReencodedCodecs.refusal(output, path: request.output, error) }

        var slots: Int64 = 0
        var summaries: [ConcatInputSummary] = []
        var firstDamage: (path: String, error: AVError)?
        for (position, input) in inputs.enumerated() {
            // Turned so that, shown with the first input's rotation, the picture stands as its own rotation says.
            let quarterTurns = turnable ? ((input.video.rotation - first.video.rotation + 360) % 360) / 90 : 0
            let lane = try InputLane(input: input, size: size, pixelFormat: pixelFormat, frameBase: frameBase, quarterTurns: quarterTurns,
                                     dropFirstFrame: duplicates[position], video: video, sound: sound, output: output, firstSlot: slots)
            try lane.run()
            if lane.slotsWritten == 0 { warnings.append("\(input.path) has no decodable video frame; nothing of it was joined") }
            if let skipped = DamagedDataWarning.packetsSkipped(lane.damagedPackets, in: input.path) { warnings.append(skipped) }
            if let refusal = lane.soundRefusal {
                warnings.append(AudioTrackEncoder.silenceWarning(path: input.path, refusal: refusal))
            }
            if firstDamage == nil, let damage = lane.firstDamage { firstDamage = (input.path, damage) }
            summaries.append(ConcatInputSummary(path: input.path, offsetSec: Timestamp(slots, frameBase).seconds,
                                                durationSec: Timestamp(lane.slotsWritten, frameBase).seconds,
                                                frames: Int(lane.slotsWritten), droppedDuplicateFrame: lane.droppedFirst))
            slots += lane.slotsWritten
            progress?(Double(position + 1) / Double(inputs.count))
        }
        guard slots > 0 else {
            // Named by its input, as every bad input is (the output was never there), with libav's own reason when it gave one.
            if let firstDamage { throw MediaError(path: firstDamage.path, libav: firstDamage.error) }
            let others = Set(inputs.map(\.path)).count - 1
            throw MediaError(path: first.path, code: .corrupt,
                             message: "no video frame could be decoded" + (others > 0 ? " (nor from the \(others) other inputs)" : ""))
        }
        try video.finish(output: output)
        if let sound {
            try sound.finish(totalSamples: rescale(slots, from: frameBase, to: Rational(1, Int32(sound.sampleRate))), output: output)
        }
        try output.finish()
        return ConcatResult(output: path, modeUsed: .reencode, inputs: summaries, durationSec: Timestamp(slots, frameBase).seconds,
                            frames: Int(slots), reason: nil, warnings: warnings)
    }

    /// The output's video encoder. Without `--size` the picture size is the first input's own, so an
    /// encoder that refuses its settings (an invalid argument, or libx264 failing to open: it checks the
    /// size) refuses what that input says (a damaged header can claim 18391x9014 pictures of a 640x360
    /// stream): the error then names that input. Other failures (memory, a missing encoder) are not the input's.
    private static func videoEncoder(picture: VideoTrackEncoder.Picture, quality: EncodingQuality, request: ConcatRequest, output: OutputFile,
                                     sizeOf firstPath: String) throws -> VideoTrackEncoder {
        do {
            return try VideoTrackEncoder(picture: picture, quality: quality, output: output, globalHeader: output.needsGlobalHeader)
        } catch {
            guard request.size == nil,
                  error.code == AVError.invalidArgumentCode || error.code == AVError.externalLibraryCode else { throw error }
            throw MediaError(path: firstPath, code: .libav,
                             message: "its \(picture.width)x\(picture.height) pictures cannot be re-encoded (\(error.detail)); give --size")
        }
    }

    /// One input decoded onto the output's frame grid and sample timeline.
    final class InputLane {
        let input: ConcatInput
        let video: VideoTrackEncoder
        let sound: AudioTrackEncoder?
        let output: OutputFile
        let frameBase: Rational
        let firstSlot: Int64
        let dropFirstFrame: Bool
        let canvasSize: PictureSize
        let pixelFormat: PixelFormat
        /// Clockwise quarter turns applied to every picture of this input.
        let quarterTurns: Int
        private(set) var slotsWritten: Int64 = 0
        private(set) var droppedFirst = false
        private var damage = DamageTolerance()
        var damagedPackets: Int { damage.damagedPackets }
        var firstDamage: AVError? { damage.firstDamage }
        /// Why the input's sound could not be decoded (its decoder refused the stream's damaged headers):
        /// its frames are then joined with silence.
        private(set) var soundRefusal: AVError?

        private var scaler: Scaler?
        private var scaled: Frame?
        private var canvas: Frame?
        private var placement = (x: 0, y: 0)
        /// The latest decoded picture, fitted to the canvas: shown until the next one's time.
        private var pending: Frame?
        private var origin: Int64? = nil
        private var lastEnd: Int64 = 0
        private var waitingAudio: [Frame] = []
        private var audioPassed = false

        init(input: ConcatInput, size: PictureSize, pixelFormat: PixelFormat, frameBase: Rational, quarterTurns: Int, dropFirstFrame: Bool,
             video: VideoTrackEncoder, sound: AudioTrackEncoder?, output: OutputFile, firstSlot: Int64) throws {
            self.input = input
            self.video = video
            self.sound = sound
            self.output = output
            self.frameBase = frameBase
            self.firstSlot = firstSlot
            self.dropFirstFrame = dropFirstFrame
            self.canvasSize = size
            self.pixelFormat = pixelFormat
            self.quarterTurns = quarterTurns
        }

        func run() throws {
            let videoDecoder = try reading { try Decoder(stream: input.video) }
            var audioDecoder: Decoder?
            if let stream = input.audio, sound != nil, stream.parameters.codecID.hasDecoder {
                switch try reading({ () throws(AVError) in try DamageTolerance.opening { () throws(AVError) in try Decoder(stream: stream) } }) {
                case .success(let decoder): audioDecoder = decoder
                case .failure(let refusal): soundRefusal = refusal
                }
            }
            var wanted: Set<Int> = [input.video.index]
            if let audio = input.audio, audioDecoder != nil { wanted.insert(audio.index) }
            input.input.selectStreams(wanted)
            let packet = try Packet()
            let frame = try Frame()
            while try reading({ try damage.read(input.input, into: packet) }) == .packet {
                defer { packet.unreference() }
                if packet.streamIndex == input.video.index {
                    while true {
                        guard let sent = try reading({ try damage.send(videoDecoder, packet) }) else { break }
                        try drainVideo(videoDecoder, frame)
                        if sent == .accepted { break }
                    }
                } else if let audioDecoder, packet.streamIndex == input.audio?.index {
                    guard try reading({ try damage.send(audioDecoder, packet) }) != nil else { continue }
                    try drainAudio(audioDecoder)
                }
            }
            try reading { try damage.sendEndOfStream(videoDecoder) }
            try drainVideo(videoDecoder, frame)
            if let audioDecoder {
                try reading { try damage.sendEndOfStream(audioDecoder) }
                try drainAudio(audioDecoder)
            }
            // The last picture lasts until the input's end.
            if let origin {
                try PlausibleTiming.checkReach(lastEnd, after: origin, in: input.video.timeBase, of: input.path)
                let endSlot = max(slotsWritten + (pending == nil ? 0 : 1), rescale(lastEnd - origin, from: input.video.timeBase, to: frameBase))
                try emit(until: endSlot)
            }
            if let sound {
                let target = rescale(firstSlot + slotsWritten, from: frameBase, to: Rational(1, Int32(sound.sampleRate)))
                try sound.truncate(toTotal: target)
                if sound.appendedSamples < target { sound.appendSilence(samples: target - sound.appendedSamples) }
                try sound.encodeAvailable(upTo: target, output: output)
            }
        }

        private func drainVideo(_ decoder: Decoder, _ frame: Frame) throws {
            while true {
                guard let state = try reading({ try damage.receive(decoder, into: frame) }) else { continue }
                guard state == .frame else { return }
                defer { frame.unreference() }
                let pts = frame.bestEffortTimestamp != Timestamp.none ? frame.bestEffortTimestamp : frame.pts
                guard pts != Timestamp.none else { continue }
                if dropFirstFrame && !droppedFirst && origin == nil {
                    droppedFirst = true
                    continue
                }
                if origin == nil {
                    origin = pts
                    try releaseWaitingAudio()
                }
                guard let origin, pts >= origin else { continue }
                // A timestamp that far on is damage (a container without a length to check it by): holding the
                // picture until then would encode frames for days.
                try PlausibleTiming.checkReach(pts, after: origin, in: input.video.timeBase, of: input.path)
                let slot = rescale(pts - origin, from: input.video.timeBase, to: frameBase)
                if pending != nil { try emit(until: slot) }
                pending = try reading { try fit(frame) }
                let duration = frame.duration > 0 ? frame.duration : rescale(1, from: frameBase, to: input.video.timeBase)
                try PlausibleTiming.checkReach(duration, after: 0, in: input.video.timeBase, of: input.path)
                lastEnd = max(lastEnd, pts + duration)
            }
        }

        /// Runs a step that reads this input (opening its decoders, demuxing, decoding, scaling its
        /// pictures): a libav error there is the input's, and names it. Encoding and writing are the
        /// output's (named by the caller).
        private func reading<T>(_ step: () throws -> T) throws -> T {
            try MediaError.attributing(to: input.path, step)
        }

        /// Encodes the pending picture into every output slot before `slot`.
        private func emit(until slot: Int64) throws {
            guard let pending else { return }
            while slotsWritten < slot {
                let copy = try pending.clone()
                try video.encode(copy, pts: firstSlot + slotsWritten, output: output)
                slotsWritten += 1
            }
            if let sound {
                let bound = rescale(firstSlot + slotsWritten, from: frameBase, to: Rational(1, Int32(sound.sampleRate)))
                try sound.encodeAvailable(upTo: bound, output: output)
            }
        }

        /// Scales a decoded picture into the canvas, keeping its display aspect (black bars where it does not fill).
        private func fit(_ frame: Frame) throws -> Frame {
            let sideways = quarterTurns % 2 == 1
            if scaler == nil || !scaler!.accepts(frame) {
                let sar = frame.sampleAspectRatio.isValid ? frame.sampleAspectRatio.doubleValue : 1
                let uprightAspect = Double(frame.width) * sar / Double(max(1, frame.height))
                let aspect = sideways ? 1 / uprightAspect : uprightAspect
                let canvasAspect = Double(canvasSize.width) / Double(canvasSize.height)
                var width = canvasSize.width, height = canvasSize.height
                if abs(aspect - canvasAspect) > 0.01 {
                    if aspect > canvasAspect {
                        height = min(canvasSize.height, max(2, Int((Double(canvasSize.width) / aspect).rounded()) & ~1))
                    } else {
                        width = min(canvasSize.width, max(2, Int((Double(canvasSize.height) * aspect).rounded()) & ~1))
                    }
                }
                placement = (((canvasSize.width - width) / 2) & ~1, ((canvasSize.height - height) / 2) & ~1)
                // Scaled to the size that, once turned, fits the canvas.
                scaler = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                                    destinationWidth: sideways ? height : width, destinationHeight: sideways ? width : height,
                                    destinationFormat: pixelFormat, algorithm: .bicubic)
                scaled = try scaler!.makeDestinationFrame()
                canvas = nil
            }
            if quarterTurns != 0 {
                try scaler!.scale(frame, into: scaled!)
                let turned = try scaled!.rotated(clockwiseQuarterTurns: quarterTurns)
                turned.sampleAspectRatio = Rational(1, 1)
                if turned.width == canvasSize.width && turned.height == canvasSize.height { return turned }
                let result = try Frame(width: canvasSize.width, height: canvasSize.height, pixelFormat: pixelFormat)
                try result.fillBlack()
                try result.place(turned, atX: placement.x, y: placement.y)
                result.sampleAspectRatio = Rational(1, 1)
                return result
            }
            let fillsCanvas = scaler!.destinationWidth == canvasSize.width && scaler!.destinationHeight == canvasSize.height
            // A fresh frame each time: the encoder may still hold the previous one.
            let result = try Frame(width: canvasSize.width, height: canvasSize.height, pixelFormat: pixelFormat)
            if fillsCanvas {
                try scaler!.scale(frame, into: result)
            } else {
                try scaler!.scale(frame, into: scaled!)
                try result.fillBlack()
                try result.place(scaled!, atX: placement.x, y: placement.y)
            }
            result.sampleAspectRatio = Rational(1, 1)
            return result
        }

        private func drainAudio(_ decoder: Decoder) throws {
            let frame = try Frame()
            while true {
                guard let state = try reading({ try damage.receive(decoder, into: frame) }) else { continue }
                guard state == .frame else { return }
                if origin == nil {
                    waitingAudio.append(try frame.clone())
                } else {
                    try place(frame)
                }
                frame.unreference()
            }
        }

        private func releaseWaitingAudio() throws {
            let waiting = waitingAudio
            waitingAudio = []
            for frame in waiting { try place(frame) }
        }

        /// Puts decoded sound on the output timeline: samples before the
        /// input's first picture are dropped, gaps become silence.
        private func place(_ frame: Frame) throws {
            guard let sound, let origin, let stream = input.audio, frame.sampleRate > 0 else { return }
            let inputRate = Rational(1, Int32(frame.sampleRate))
            let laneStart = rescale(firstSlot, from: frameBase, to: Rational(1, Int32(sound.sampleRate)))
            let startSample = rescale(origin, from: input.video.timeBase, to: inputRate)
            let best = frame.bestEffortTimestamp != Timestamp.none ? frame.bestEffortTimestamp : frame.pts
            let position = best != Timestamp.none ? rescale(best, from: stream.timeBase, to: inputRate) : startSample
            try PlausibleTiming.checkReach(position, after: startSample, in: inputRate, of: input.path)
            if position + Int64(frame.sampleCount) <= startSample { return }
            let placedSoFar = (sound.appendedSamples - laneStart) * Int64(frame.sampleRate) / Int64(sound.sampleRate)
            let expected = startSample + placedSoFar
            if placedSoFar > 0 && position > expected + 1 {
                sound.appendSilence(samples: (position - expected) * Int64(sound.sampleRate) / Int64(frame.sampleRate))
            } else if placedSoFar == 0 && position > startSample {
                sound.appendSilence(samples: (position - startSample) * Int64(sound.sampleRate) / Int64(frame.sampleRate))
            }
            let skip = Int(max(0, startSample - position))
            // Resampling reads what the input says of its sound (rate, layout): a refusal is the input's.
            try reading { try sound.append(frame, skipping: skip) }
        }
    }
}
