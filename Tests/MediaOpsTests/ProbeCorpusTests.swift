import Foundation
import MediaTestSupport
import Testing
@testable import MediaOps

/// `probe` against ffprobe 5.1 (the independent oracle) over the shared corpus.
@Suite("Probe against ffprobe on the corpus")
struct ProbeCorpusTests {
    /// Every media file of the corpus (text files and goldens left out).
    static func corpusFiles() -> [URL] {
        guard let corpus = TestMedia.corpus else { return [] }
        let skip: Set<String> = ["txt", "md", "json", "csv", "py", "sh", "yml", "yaml"]
        let enumerator = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: [.isRegularFileKey])
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.path.contains("/goldens/") || skip.contains(url.pathExtension.lowercased()) { continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// One field compared: what we said, what ffprobe said, and whether they agree.
    struct Comparison: CustomStringConvertible {
        var file: String, field: String, ours: String, theirs: String, agrees: Bool
        var description: String { "\(file) \(field): ours=\(ours) ffprobe=\(theirs)" }
    }

    @Test("agrees with ffprobe on at least 99% of the fields", .needsCorpus, .needsFFmpeg)
    func agreesWithFFprobe() throws {
        var comparisons: [Comparison] = []
        var probedFiles = 0
        for url in Self.corpusFiles() {
            let name = url.path.replacingOccurrences(of: TestMedia.corpus!.path + "/", with: "")
            let json = try TestMedia.ffprobeJSON(["-count_packets", "-show_format", "-show_streams", url.path], allowFailure: true)
            guard let format = json["format"] as? [String: Any] else {
                // ffprobe cannot read it: neither may we.
                #expect(throws: MediaError.self, "\(name): ffprobe fails, probe must too") { try MediaProbe.probe(url.path) }
                continue
            }
            let result: ProbeResult
            do { result = try MediaProbe.probe(url.path) } catch {
                // We refuse some files ffprobe reads (truncated ones); those must be the known broken files.
                let knownBroken = ["file-type/fixture2.mkv", "mediabunny/annex-b.mp4", "mp4ff/init_truncated.mp4"]
                #expect(knownBroken.contains(name), "\(name): refused: \(error)")
                continue
            }
            probedFiles += 1
            func compare(_ field: String, _ ours: String?, _ theirs: String?, agrees: Bool? = nil) {
                guard let theirs else { return }
                let ours = ours ?? "nil"
                comparisons.append(Comparison(file: name, field: field, ours: ours, theirs: theirs, agrees: agrees ?? (ours == theirs)))
            }
            compare("size", "\(result.fileSizeBytes)", format["size"] as? String)
            if let d = (format["duration"] as? String).flatMap(Double.init) {
                compare("duration", result.durationSec.map { "\($0)" }, "\(d)",
                        agrees: result.durationSec.map { abs($0 - d) <= 0.002 } ?? false)
            }
            let streams = json["streams"] as? [[String: Any]] ?? []
            if let video = result.video, let s = streams.first(where: { ($0["index"] as? Int) == video.streamIndex }) {
                compare("video.codec", video.codec, s["codec_name"] as? String)
                compare("video.width", "\(video.width)", (s["width"] as? Int).map { "\($0)" })
                compare("video.height", "\(video.height)", (s["height"] as? Int).map { "\($0)" })
                compare("video.frame_count", video.frameCount.map { "\($0)" }, s["nb_read_packets"] as? String)
                let sideData = s["side_data_list"] as? [[String: Any]] ?? []
                let ffRotation = sideData.compactMap { $0["rotation"] as? Int }.first ?? 0
                let normalised = ((-ffRotation % 360) + 360) % 360
                compare("video.rotation", "\(video.rotation)", "\(normalised)")
            } else if let s = streams.first(where: { ($0["codec_type"] as? String) == "video" && (($0["disposition"] as? [String: Any])?["attached_pic"] as? Int) != 1 }) {
                compare("video.present", "absent", "\(s["codec_name"] as? String ?? "?")")
            }
            if let audio = result.audio, let s = streams.first(where: { ($0["index"] as? Int) == audio.streamIndex }) {
                compare("audio.codec", audio.codec, s["codec_name"] as? String)
                compare("audio.sample_rate", "\(audio.sampleRate)", s["sample_rate"] as? String)
                compare("audio.channels", "\(audio.channels)", (s["channels"] as? Int).map { "\($0)" })
            }
        }
        let disagreements = comparisons.filter { !$0.agrees }
        for d in disagreements { print("disagreement: \(d)") }
        let agreement = Double(comparisons.count - disagreements.count) / Double(max(1, comparisons.count))
        print("probe vs ffprobe: \(probedFiles) files, \(comparisons.count) fields, agreement \(String(format: "%.2f", agreement * 100))%")
        #expect(probedFiles > 100)
        #expect(agreement >= 0.99)
    }
}
