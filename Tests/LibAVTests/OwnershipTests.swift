import Foundation
import MediaTestSupport
import Testing
@testable import LibAV

/// Who owns what: a stream keeps its file open, stream numbers from outside
/// are checked, and a picture crosses threads only as a ``FrozenFrame``.
@Suite("LibAV ownership")
struct OwnershipTests {
    static func videoStream(_ path: String, opened: (InputFile) -> Void) throws -> MediaStream {
        let input = try InputFile(path: path)
        try input.findStreamInfo()
        opened(input)
        return try #require(input.bestStream(.video))
    }

    @Test("a stream keeps its file alive, and the file goes with its last stream", .needsFFmpeg)
    func streamKeepsItsFileAlive() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 1, fps: 25)
        weak var file: InputFile?
        var decoded = 0
        do {
            // The only reference to the InputFile left after this call is the stream's.
            let stream = try Self.videoStream(url.path) { file = $0 }
            #expect(file != nil)
            #expect(stream.parameters.width == 320 && stream.timeBase.denominator > 0)
            let reader = try FrameReader(input: stream.owner, stream: stream)
            while try reader.nextFrame() != nil { decoded += 1 }
        }
        #expect(file == nil)
        #expect(decoded == (try TestMedia.frameMD5(url)).count)
    }

    @Test("a stream number out of range is an AVError, on input and on output", .needsFFmpeg)
    func badStreamIndexThrows() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 1, fps: 25)
        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        let count = input.streams.count
        for index in [count, -1, 99] {
            #expect(throws: AVError.self) { _ = try input.stream(at: index) }
            #expect(throws: AVError.self) { _ = try input.indexEntries(stream: index) }
            #expect(throws: AVError.self) { _ = try input.indexEntryCount(stream: index) }
        }
        let video = try #require(input.bestStream(.video))
        #expect(try input.stream(at: video.index).index == video.index)
        #expect(try input.indexEntries(stream: video.index).count == (try TestMedia.packetCount(url)))

        let output = try OutputFile(path: folder.appendingPathComponent("out.mp4").path)
        // No stream yet: every stream number is out of range.
        do {
            try output.setTimeBase(stream: 0, Rational(1, 25))
            Issue.record("setTimeBase on a missing stream did not throw")
        } catch {
            #expect(error.message.contains("no output stream 0"))
        }
        let added = try output.addStream(copying: video)
        #expect(try output.timeBase(stream: added).denominator > 0)
        #expect(throws: AVError.self) { _ = try output.timeBase(stream: added + 1) }
        #expect(throws: AVError.self) { try output.setExtradata(stream: added + 1, [0, 0, 0, 1]) }
        #expect(throws: AVError.self) { try output.copyMetadata(from: video, toStream: -1) }
        #expect(throws: AVError.self) { try output.setRotation(stream: added + 1, clockwiseDegrees: 90) }
    }

    @Test("a frozen frame keeps its picture after the decoder moves on, and is read on another thread", .needsFFmpeg)
    func frozenFrameCrossesThreads() async throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 1, fps: 25)
        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        let reader = try FrameReader(input: input, stream: try #require(input.bestStream(.video)))
        let first = try #require(try reader.nextFrame())
        let expected = first.copyPlane(0, bytesPerRow: first.width, rows: first.height)
        let frozen = try FrozenFrame(first)
        // The reader reuses its frame: the first picture is overwritten, the frozen one is not.
        while try reader.nextFrame() != nil {}
        let seen = try await Task.detached {
            let frame = try frozen.makeFrame()
            return (frame.width, frame.height, frame.copyPlane(0, bytesPerRow: frame.width, rows: frame.height))
        }.value
        #expect(seen.0 == frozen.width && seen.1 == frozen.height)
        #expect(seen.2 == expected)
    }
}
