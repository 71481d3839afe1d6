import Foundation
import LibAV
import MediaOps
import MediaTestSupport
import Testing

@Suite(.serialized) struct ImagesPosterAndStoryboardTests {
    /// `--at` takes exactly the frame a player shows at that time.
    @Test(.needsFFmpeg, arguments: [1.53, 0.0, 3.99])
    func thumbnailAtTakesTheFrameShownThen(seconds: Double) throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-at")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 4, audio: false,
                                          codec: KeyframesTests.bFrameCodec)
        let frames = try FrameOracle.frames(clip)
        let poster = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("at.png").path, at: seconds)
        let shown = try #require(frames.lastIndex { $0.time <= seconds + 1e-9 })
        #expect(poster.frame == shown)
        #expect(abs(poster.time - frames[shown].time) < 1e-6)
        #expect(poster.width == 320 && poster.height == 240)
        try FrameOracle.expectShowsFrame(URL(fileURLWithPath: poster.output), of: clip, number: poster.frame,
                                         frameCount: frames.count, in: folder)
    }

    /// With no `--at`, the poster is a real picture even when the first half of the video is black.
    @Test(.needsFFmpeg) func thumbnailAvoidsBlack() throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-black")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("late-start.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=black:size=320x240:rate=25:duration=5",
                              "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                              "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0", "-c:v", "libx264", "-preset", "veryfast",
                              "-pix_fmt", "yuv420p", clip.path])
        let poster = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("poster.jpg").path, width: 160)
        #expect(poster.time >= 5)
        #expect(poster.width == 160 && poster.height == 120)
        let pixels = try ImageOracle.pixels(URL(fileURLWithPath: poster.output))
        #expect(Double(pixels.reduce(0) { $0 + Int($1) }) / Double(pixels.count) > 30)
    }

    /// A video flat throughout (one colour fading through black around its first third, as
    /// PySceneDetect's fades.mp4): no picture scores, and the poster is the best exposed, not black.
    @Test(.needsFFmpeg) func flatVideoPosterIsNotBlack() throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-flat")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("flat.mp4")
        // Grey fading out over 0.6-1 s, black until 1.6 s, grey fading in until 2 s, grey until 3 s.
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=gray:size=160x120:rate=25:duration=1",
                              "-f", "lavfi", "-i", "color=black:size=160x120:rate=25:duration=0.6",
                              "-f", "lavfi", "-i", "color=gray:size=160x120:rate=25:duration=1.4",
                              "-filter_complex", "[0]fade=t=out:st=0.6:d=0.4[a];[2]fade=t=in:st=0:d=0.4[c];[a][1][c]concat=n=3:v=1:a=0",
                              "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", clip.path])
        let poster = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("poster.jpg").path)
        let pixels = try ImageOracle.pixels(URL(fileURLWithPath: poster.output))
        #expect(Double(pixels.reduce(0) { $0 + Int($1) }) / Double(pixels.count) > 60, "poster at \(poster.time) s is dark")
    }

    /// The first third of this video is mid-fade (from black, 2 s to 5 s): the poster waits for the held picture.
    @Test(.needsFFmpeg) func thumbnailAvoidsAFade() throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-fade")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("fade-in.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=black:size=320x240:rate=25:duration=2",
                              "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=7",
                              "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,fade=t=in:st=2:d=3", "-c:v", "libx264",
                              "-preset", "veryfast", "-pix_fmt", "yuv420p", clip.path])
        let poster = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("poster.jpg").path, width: 160)
        #expect(poster.time >= 4.8, "poster at \(poster.time) s is mid-fade")
    }

    @Test(.needsFFmpeg) func thumbnailBadInputLeavesNothing() throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 2, audio: false)
        let out = folder.appendingPathComponent("p.jpg").path
        func code(_ body: () throws -> Void) -> MediaError.Code? {
            do { try body() } catch let error as MediaError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { _ = try PosterFrame.write(clip.path, to: out, at: 2.5) } == .invalidRange)
        #expect(code { _ = try PosterFrame.write(clip.path, to: out, at: 2.0) } == .invalidRange)
        #expect(code { _ = try PosterFrame.write(clip.path, to: clip.path) } == .outputConflict)
        #expect(code { _ = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("missing/p.jpg").path) } == .outputUnwritable)
        #expect(code { _ = try PosterFrame.write(folder.path, to: out) } == .notAFile)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["clip.mp4"])
    }

    /// moviepy's `-video-with-dash-.mp4` with four header bytes changed, as `scripts/mutate.py` found it (seed 222):
    /// `thumbnail --at 1` wrote the image, then failed working out the frame's number (the survey of packets that
    /// needs cannot seek in it, "avformat_seek_file: Operation not permitted"): exit 1 with the image left. The
    /// number now comes first, and a failure there leaves nothing.
    @Test(.needsFFmpeg, .needsCorpus) func aThumbnailThatFailsLeavesNoImage() throws {
        let folder = try TestMedia.makeTemporaryDirectory("poster-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.bytes([(499, 0xA3), (925, 0x63), (1474, 0xBB), (1661, 0xEF)])
            .copy(of: "moviepy/-video-with-dash-.mp4", in: folder)
        let error = #expect(throws: MediaError.self) {
            _ = try PosterFrame.write(damaged.path, to: folder.appendingPathComponent("thumb.jpg").path, at: 1)
        }
        #expect(error?.message.contains("avformat_seek_file") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [damaged.lastPathComponent])
    }

    /// The sheet is the grid it says, each tile shows a picture, and it decodes as a JPEG of that size.
    @Test(.needsFFmpeg) func storyboardIsAGridOfTheRightSize() throws {
        let folder = try TestMedia.makeTemporaryDirectory("storyboard")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 6, audio: false)
        let output = folder.appendingPathComponent("sheet.jpg")
        let sheet = try Storyboard.write(clip.path, to: output.path, request: StoryboardRequest(count: 7, columns: 3, width: 620))
        #expect(sheet.columns == 3 && sheet.rows == 3 && sheet.tiles.count == 7)
        let info = try ImageOracle.describe(output)
        #expect(info.codec == "mjpeg" && info.width == 620 && info.height == sheet.height)
        let tileWidth = (620 - 2 * 8 - 2 * 6) / 3
        #expect(sheet.tiles.allSatisfy { $0.width == tileWidth && $0.height == Int((Double(tileWidth) * 0.75).rounded()) })
        #expect(sheet.tiles.last.map { $0.y + $0.height <= sheet.height } == true)
        #expect(zip(sheet.tiles, sheet.tiles.dropFirst()).allSatisfy { $0.time < $1.time })
        // Tiles hold pictures (testsrc2 is colourful), the gaps hold the dark background.
        let pixels = try ImageOracle.pixels(output)
        func luma(_ x: Int, _ y: Int) -> Int {
            let offset = (y * info.width + x) * 3
            return (Int(pixels[offset]) + Int(pixels[offset + 1]) + Int(pixels[offset + 2])) / 3
        }
        for tile in sheet.tiles {
            #expect(luma(tile.x + tile.width / 2, tile.y + tile.height / 3) > 40)
        }
        #expect(luma(sheet.tiles[0].x + sheet.tiles[0].width + 3, sheet.tiles[0].y + 10) < 40)
    }

    /// Header and time codes are drawn: the header band has white pixels, exactly where the font puts them.
    @Test func bitmapFontDrawsTheGlyphs() {
        var image = RGBImage(width: 40, height: 10)
        BitmapFont.draw("1:", into: &image, x: 1, y: 1, scale: 1, color: .white)
        // "1" column 2 is lit on every row; its top-left pixel is not.
        #expect((0..<7).allSatisfy { image[1 + 2, 1 + $0] == .white })
        #expect(image[1, 1] == .black)
        #expect(BitmapFont.width(of: "00:01.000", scale: 2) == (9 * 6 - 1) * 2)
        let lit = image.pixels.filter { $0 == 255 }.count / 3
        #expect(lit == 10 + 8)  // "1" has 10 pixels, ":" has 8
    }
}
