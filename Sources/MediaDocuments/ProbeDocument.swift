import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// One element of `probe --json`: a result, or the input's error.
public enum ProbeDocument: Encodable {
    case success(ProbeResult)
    case failure(FailureDocument)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .success(let result): try result.encode(to: encoder)
        case .failure(let failure): try failure.encode(to: encoder)
        }
    }
}

/// The human-readable form of a probe.
public enum ProbeText {
    public static func summary(_ r: ProbeResult) -> String {
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
