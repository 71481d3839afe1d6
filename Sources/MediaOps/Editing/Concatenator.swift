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
        // The first input that cannot be copied after the first, and why.
        let mismatch: (path: String, reason: String)? = inputs.dropFirst().lazy.compactMap { input in
            input.signature.difference(from: inputs[0].signature, path: input.path, referencePath: inputs[0].path).map { (input.path, $0) }
        }.first
        let duplicate: (path: String, reason: String)? = duplicates.firstIndex(of: true).map {
            (inputs[$0].path, "\(inputs[$0].path) starts on the last frame of \(inputs[$0 - 1].path); dropping it needs re-encoding")
        }

        var result: ConcatResult
        switch request.mode {
        case .copy:
            if let refusal = mismatch ?? duplicate {
                throw MediaError(path: refusal.path, code: .incompatibleInputs, message: "cannot join without re-encoding: \(refusal.reason)")
            }
            do {
                result = try ConcatCopy.write(inputs, to: destination.temporaryPath, progress: progress)
            } catch let conflict as ConcatCopy.Conflict {
                throw MediaError(path: conflict.path, code: .incompatibleInputs, message: "cannot join without re-encoding: \(conflict.reason)")
            } catch {
                throw mediaError(error, path: request.output)
            }
        case .auto:
            if let refusal = mismatch ?? duplicate {
                result = try reencode(request, inputs: inputs, duplicates: duplicates, to: destination, progress: progress)
                result.reason = refusal.reason
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
