import Foundation

/// The ffmpeg command line as the judge of cut and joined files: what frames a
/// file presents (time and MD5 of each decoded picture), how long its streams
/// last, whether it decodes cleanly, and how close two pictures are (PSNR).
public enum EditingOracle {
    public struct PresentedFrame: Equatable {
        /// Seconds from the file's start (its container start time).
        public var time: Double
        public var md5: String
    }

    /// Every frame the first video stream presents, in order.
    public static func frames(_ url: URL) throws -> [PresentedFrame] {
        let start = try startTime(url)
        let probe = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time",
                                                  "-of", "csv=p=0", url.path])
        let times = probe.stdout.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces).split(separator: ",").first ?? "") }
        let hashes = try TestMedia.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", url.path, "-map", "0:v:0",
                                                  "-fps_mode", "passthrough", "-f", "framemd5", "-"])
            .stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .compactMap { line -> String? in
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return fields.count >= 6 ? fields[5] : nil
            }
        guard times.count == hashes.count else {
            throw OracleDisagreement(description: "\(url.lastPathComponent): ffprobe saw \(times.count) frames, framemd5 \(hashes.count)")
        }
        return zip(times, hashes).map { PresentedFrame(time: $0 - start, md5: $1) }
    }

    /// The container's start time in seconds.
    public static func startTime(_ url: URL) throws -> Double {
        let json = try TestMedia.ffprobeJSON(["-show_entries", "format=start_time", url.path])
        return Double((json["format"] as? [String: Any])?["start_time"] as? String ?? "0") ?? 0
    }

    /// The duration of the first stream of a kind, from its last packet's end
    /// (`ffprobe -show_packets`), which is what players run for.
    public static func streamDuration(_ url: URL, kind: String) throws -> Double? {
        let probe = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "\(kind):0", "-show_entries", "packet=pts_time,duration_time",
                                                  "-of", "csv=p=0", url.path])
        var first: Double? = nil
        var end: Double? = nil
        for line in probe.stdout.split(separator: "\n") {
            let fields = line.split(separator: ",").map { Double($0) }
            guard fields.count >= 2, let pts = fields[0] else { continue }
            let duration = fields[1] ?? 0
            first = min(first ?? pts, pts)
            end = max(end ?? pts + duration, pts + duration)
        }
        guard let first, let end else { return nil }
        return end - max(0, first)
    }

    /// ffmpeg's complaints while decoding every stream (`-v error -f null`); empty when clean.
    public static func decodeErrors(_ url: URL) throws -> String {
        let result = try TestMedia.run("ffmpeg", ["-hide_banner", "-v", "error", "-nostdin", "-i", url.path, "-f", "null", "-"], allowFailure: true)
        return result.status == 0 ? result.stderr : "exit \(result.status): \(result.stderr)"
    }

    /// Average luma PSNR of the first `count` frames of `candidate` against source frames `[firstFrame, firstFrame + count)`, frame by frame.
    public static func psnr(_ candidate: URL, against source: URL, firstFrame: Int, count: Int) throws -> Double {
        let graph = "[1:v]trim=start_frame=\(firstFrame):end_frame=\(firstFrame + count),setpts=N/TB/25[r];[0:v]trim=end_frame=\(count),setpts=N/TB/25[c];[c][r]psnr"
        let result = try TestMedia.run("ffmpeg", ["-hide_banner", "-nostdin", "-i", candidate.path, "-i", source.path,
                                                  "-lavfi", graph, "-f", "null", "-"])
        guard let line = result.stderr.split(separator: "\n").last(where: { $0.contains("PSNR y:") }),
              let range = line.range(of: "y:") else { return 0 }
        let value = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? "0"
        return value == "inf" ? 100 : Double(value) ?? 0
    }

    /// A 25 fps test clip with B-frames and a keyframe every `gop` frames.
    public static func makeBFrameClip(at url: URL, seconds: Double = 4, gop: Int = 25, audio: Bool = true, extra: [String] = []) throws -> URL {
        try TestMedia.makeClip(at: url, seconds: seconds, audio: audio,
                               codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "3",
                                       "-g", "\(gop)", "-keyint_min", "\(gop)", "-sc_threshold", "0"] + extra)
    }

    /// A variable-frame-rate clip: every fourth frame of a 25 fps source left out.
    public static func makeVariableRateClip(at url: URL) throws -> URL {
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                              "-vf", "select='not(eq(mod(n\\,4)\\,3))'", "-fps_mode", "vfr",
                              "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "20", url.path])
        return url
    }
}

/// ffprobe and ffmpeg counted different frames: the oracle itself cannot be trusted for this file.
public struct OracleDisagreement: Error, CustomStringConvertible {
    public var description: String
}
