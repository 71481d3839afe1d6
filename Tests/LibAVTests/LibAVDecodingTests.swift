import Foundation
import MediaTestSupport
import Testing
@testable import LibAV

/// LibAV on media the tests make themselves, checked against the ffmpeg command line.
@Suite("LibAV reading, decoding and seeking")
struct LibAVDecodingTests {
    /// A 2 s H.264 clip with B-frames (x264 default), 25 fps, 2 s GOP halves, with AAC audio.
    static func makeBFrameClip(in folder: URL) throws -> URL {
        try TestMedia.makeClip(at: folder.appendingPathComponent("bframes.mp4"), seconds: 2, fps: 25,
                               codec: ["-c:v", "libx264", "-preset", "veryfast", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p"])
    }

    /// ffprobe's view of the decoded frames: best-effort timestamps in stream time base, and keyframe flags.
    static func ffprobeFrames(_ url: URL) throws -> [(pts: Int64, key: Bool)] {
        let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp,key_frame", "-show_frames", url.path])
        return (json["frames"] as? [[String: Any]] ?? []).map {
            (Int64($0["best_effort_timestamp"] as? Int ?? -1), ($0["key_frame"] as? Int) == 1)
        }
    }

    /// The B-frame clip in a fresh folder (the caller removes it), opened with stream info, and ffprobe's frames of it.
    static func openBFrameClip() throws -> (folder: URL, oracle: [(pts: Int64, key: Bool)], input: InputFile, stream: MediaStream) {
        let folder = try TestMedia.makeTemporaryDirectory()
        let url = try makeBFrameClip(in: folder)
        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        return (folder, try ffprobeFrames(url), input, try #require(input.bestStream(.video)))
    }

    @Test("decodes exactly the frames ffprobe decodes, with the same timestamps, in presentation order", .needsFFmpeg)
    func decodesAllFrames() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeBFrameClip(in: folder)

        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        let stream = try #require(input.bestStream(.video))
        let reader = try FrameReader(input: input, stream: stream)
        var timestamps: [Int64] = []
        var keyframes: [Bool] = []
        while let frame = try reader.nextFrame() {
            timestamps.append(reader.presentationTimestamp(of: frame))
            keyframes.append(frame.isKeyframe)
            #expect(frame.width == 320 && frame.height == 240)
        }
        let oracle = try Self.ffprobeFrames(url)
        #expect(timestamps.count == 50)
        #expect(timestamps == oracle.map(\.pts))
        #expect(keyframes == oracle.map(\.key))
        #expect(reader.packetsRead == (try TestMedia.packetCount(url)))
        #expect(reader.damagedPackets == 0)
    }

    @Test("reads every packet ffprobe counts, with its keyframe flag", .needsFFmpeg)
    func readsPackets() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeBFrameClip(in: folder)
        let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_entries", "packet=pts,flags", "-show_packets", url.path])
        let oracle = (json["packets"] as? [[String: Any]] ?? []).map { (Int64($0["pts"] as? Int ?? -1), ($0["flags"] as? String ?? "").hasPrefix("K")) }

        let input = try InputFile(path: url.path)
        let video = try #require(input.bestStream(.video))
        let packet = try Packet()
        var seen: [(Int64, Bool)] = []
        while try input.read(into: packet) == .packet {
            if packet.streamIndex == video.index { seen.append((packet.pts, packet.isKeyframe)) }
            #expect(packet.timeBase == input.streams[packet.streamIndex].timeBase)
            packet.unreference()
        }
        #expect(seen.map(\.0) == oracle.map(\.0))
        #expect(seen.map(\.1) == oracle.map(\.1))
        // The MP4 index knows the same packets without reading them.
        let index = try input.indexEntries(stream: video.index)
        #expect(index.count == oracle.count)
        #expect(index.filter(\.isKeyframe).count == oracle.filter(\.1).count)
    }

    @Test("seeking lands on the keyframe at or before the target", .needsFFmpeg, arguments: [0.0, 0.5, 0.95, 1.3, 1.96])
    func seeksToKeyframe(seconds: Double) throws {
        let (folder, oracle, input, stream) = try Self.openBFrameClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reader = try FrameReader(input: input, stream: stream)
        _ = try reader.nextFrame()  // decode a little first, so the seek must really reset
        let target = Timestamp(seconds: seconds, timeBase: stream.timeBase).value
        try reader.seek(toKeyframeBefore: target)
        let first = try #require(try reader.nextFrame())
        let pts = reader.presentationTimestamp(of: first)
        let expectedKeyframe = oracle.filter { $0.key && $0.pts <= target }.map(\.pts).max()
        #expect(first.isKeyframe)
        #expect(pts == expectedKeyframe)
    }

    @Test("a stop position ends the reading at that packet: every frame shown before it is drained out, none after", .needsFFmpeg)
    func stopsAtPosition() throws {
        let (folder, oracle, input, stream) = try Self.openBFrameClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The third keyframe (x264 closes its GOPs by default): the frames of the first two GOPs come before it.
        let keyframes = try input.indexEntries(stream: stream.index).filter(\.isKeyframe)
        try #require(keyframes.count >= 3)
        let keyframePTS = oracle.filter(\.key).map(\.pts)[2]
        let reader = try FrameReader(input: input, stream: stream)
        reader.stopPosition = keyframes[2].position
        var timestamps: [Int64] = []
        while let frame = try reader.nextFrame() { timestamps.append(reader.presentationTimestamp(of: frame)) }
        #expect(reader.stoppedAtPosition)
        #expect(timestamps == oracle.map(\.pts).filter { $0 < keyframePTS })
        #expect(timestamps.count >= 12)
        // A seek starts reading again (the stop still applies to what follows it).
        try reader.seek(toKeyframeBefore: oracle.filter(\.key).map(\.pts)[1])
        #expect(!reader.stoppedAtPosition)
        var again: [Int64] = []
        while let frame = try reader.nextFrame() { again.append(reader.presentationTimestamp(of: frame)) }
        #expect(again == oracle.map(\.pts).filter { $0 >= oracle.filter(\.key).map(\.pts)[1] && $0 < keyframePTS })
        reader.stopPosition = nil
        try reader.seek(toKeyframeBefore: keyframePTS)
        var rest = 0
        while try reader.nextFrame() != nil { rest += 1 }
        #expect(!reader.stoppedAtPosition && rest == oracle.count - timestamps.count)
    }

    @Test("a missing file fails with libav's own message")
    func missingFile() {
        #expect {
            _ = try InputFile(path: "/nonexistent/clip.mp4")
        } throws: { error in
            guard let error = error as? AVError else { return false }
            return error.operation == "avformat_open_input" && error.message.contains("No such file")
        }
    }

    @Test("text is not media: invalid data, not a crash")
    func textIsNotMedia() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("notes.mp4")
        try Data(String(repeating: "just some text, not a video\n", count: 200).utf8).write(to: url)
        #expect(throws: AVError.self) {
            let input = try InputFile(path: url.path)
            try input.findStreamInfo()
            if input.bestStream(.video) == nil { throw AVError.invalid("no video", operation: "test") }
        }
    }
}
