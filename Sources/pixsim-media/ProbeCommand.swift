import ArgumentParser
import Foundation
import MediaOps

/// `pixsim-media probe FILE... [--sha256]`: enrichment of each file.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Describe media files: container, codecs, duration, size, frame rate, frame count, rotation, audio.",
        discussion: "With --json, prints one array with an element per input, in input order; a failed input's element is {\"path\", \"error\"}."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .customLong("sha256"), help: "Also compute each file's SHA-256.")
    var computeSHA256 = false

    @Argument(help: "Media files to probe.")
    var files: [String]

    func run() async throws {
        options.configureLogging()
        var documents: [ProbeDocument] = []
        var failed = false
        for file in files {
            do {
                let result = try MediaProbe.probe(file, computeSHA256: computeSHA256)
                documents.append(.success(result))
                if !options.json && !options.quiet { CommandOutput.printLine(ProbeText.summary(result)) }
            } catch {
                failed = true
                let report = ErrorReport(error, subject: file)
                CommandOutput.printError(report)
                documents.append(.failure(FailureDocument(report)))
            }
        }
        if options.json { try CommandOutput.printJSON(documents) }
        if failed { throw ExitCode(1) }
    }
}

/// One element of `probe --json`: a result, or the input's error.
enum ProbeDocument: Encodable {
    case success(ProbeResult)
    case failure(FailureDocument)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .success(let result): try result.encode(to: encoder)
        case .failure(let failure): try failure.encode(to: encoder)
        }
    }
}

/// The human-readable form of a probe.
enum ProbeText {
    static func summary(_ r: ProbeResult) -> String {
        var lines: [String] = []
        let duration = r.durationSec.map { String(format: "%.3f s", $0) } ?? "unknown duration"
        lines.append("\(r.path): \(r.mediaType), \(r.mimeType), \(duration), \(r.fileSizeBytes) bytes")
        if let v = r.video {
            var line = "  video: \(v.codec)"
            if let profile = v.profile { line += " (\(profile))" }
            line += " \(v.width)x\(v.height)"
            if v.displayWidth != v.width || v.displayHeight != v.height { line += " shown \(v.displayWidth)x\(v.displayHeight)" }
            if v.rotation != 0 { line += ", rotated \(v.rotation)°" }
            if let fps = v.fps { line += String(format: ", %.3f fps %@", fps, v.frameRateMode) }
            if let frames = v.frameCount { line += ", \(frames) frames" }
            if let format = v.pixelFormat { line += ", \(format)" }
            lines.append(line)
        }
        if let a = r.audio {
            lines.append("  audio: \(a.codec) \(a.sampleRate) Hz, \(a.channelLayout ?? "\(a.channels) channels")")
        }
        if let sha = r.sha256 { lines.append("  sha256: \(sha)") }
        for warning in r.warnings { lines.append("  warning: \(warning)") }
        return lines.joined(separator: "\n")
    }
}
