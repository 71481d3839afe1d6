import Foundation
import LibAV
import MediaOps
import MediaTestSupport
import Testing

/// Shared oracles for the image tests: ffprobe for sizes, ffmpeg to decode images back to pixels.
enum ImageOracle {
    /// (codec, width, height) of an image file as ffprobe reads it.
    static func describe(_ url: URL) throws -> (codec: String, width: Int, height: Int) {
        let json = try TestMedia.ffprobeJSON(["-show_entries", "stream=codec_name,width,height", url.path])
        let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
        return (stream["codec_name"] as? String ?? "", stream["width"] as? Int ?? -1, stream["height"] as? Int ?? -1)
    }

    /// The image's pixels as rgb24, decoded by ffmpeg, optionally rescaled to a size.
    static func pixels(_ url: URL, scaleTo size: (Int, Int)? = nil) throws -> [UInt8] {
        let raw = url.deletingPathExtension().appendingPathExtension("rgb")
        var args = ["-i", url.path]
        if let size { args += ["-vf", "scale=\(size.0):\(size.1)"] }
        try TestMedia.ffmpeg(args + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw.path])
        defer { try? FileManager.default.removeItem(at: raw) }
        return [UInt8](try Data(contentsOf: raw))
    }

    /// Mean absolute difference of two equally sized rgb24 buffers, 0...255.
    static func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 255 }
        var total = 0
        for index in a.indices { total += abs(Int(a[index]) - Int(b[index])) }
        return Double(total) / Double(a.count)
    }

    /// A 320x240 clip whose display matrix says "turn `clockwise` degrees" (ffmpeg 5.1 sets it from the
    /// `rotate` tag only when stream-copying; the tag counts counter-clockwise).
    static func makeRotatedClip(clockwise: Int, at url: URL, seconds: Double = 0.4) throws -> URL {
        let plain = url.deletingLastPathComponent().appendingPathComponent("plain-\(UUID().uuidString).mp4")
        try TestMedia.makeClip(at: plain, seconds: seconds, audio: false)
        defer { try? FileManager.default.removeItem(at: plain) }
        try TestMedia.ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=\((360 - clockwise) % 360)", url.path])
        return url
    }

    /// ffmpeg's own upright rendering of the first frame (it applies rotation by default), at `size`.
    static func ffmpegUprightFirstFrame(_ video: URL, size: (Int, Int), in folder: URL) throws -> [UInt8] {
        let reference = folder.appendingPathComponent("reference-\(UUID().uuidString).png")
        try TestMedia.ffmpeg(["-i", video.path, "-vf", "scale=\(size.0):\(size.1)", "-frames:v", "1", reference.path])
        return try pixels(reference)
    }
}

@Suite struct ImagesWriterTests {
    /// Decodes the first frame of `url` and hands it to `body` with the stream's geometry.
    private func withFirstFrame<R>(_ url: URL, _ body: (Frame, PictureGeometry) throws -> R) throws -> R {
        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        let stream = try #require(input.bestStream(.video))
        let reader = try FrameReader(input: input, stream: stream)
        let frame = try #require(try reader.nextFrame())
        return try body(frame, PictureGeometry(stream: stream))
    }

    @Test(.needsFFmpeg) func writesJPEGAndPNGAtTheRequestedWidth() throws {
        let folder = try TestMedia.makeTemporaryDirectory("images-writer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 1, audio: false)
        try withFirstFrame(clip) { frame, geometry in
            let jpeg = ImageWriter(format: .jpeg, width: 160)
            let written = try jpeg.write(frame, geometry: geometry, to: folder.appendingPathComponent("a.jpg").path, inputs: [clip.path])
            #expect(written.width == 160 && written.height == 120)
            let jpegInfo = try ImageOracle.describe(URL(fileURLWithPath: written.path))
            #expect(jpegInfo.codec == "mjpeg" && jpegInfo.width == 160 && jpegInfo.height == 120)

            let png = ImageWriter(format: .png, width: 101)
            let pngWritten = try png.write(frame, geometry: geometry, to: folder.appendingPathComponent("b.png").path, inputs: [clip.path])
            let pngInfo = try ImageOracle.describe(URL(fileURLWithPath: pngWritten.path))
            #expect(pngInfo.codec == "png" && pngInfo.width == 101 && pngInfo.height == 76)
        }
        // Our picture must match ffmpeg's rendering of the same frame.
        let ours = try ImageOracle.pixels(folder.appendingPathComponent("a.jpg"))
        let reference = try ImageOracle.ffmpegUprightFirstFrame(clip, size: (160, 120), in: folder)
        #expect(ImageOracle.meanDifference(ours, reference) < 6)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
    }

    /// A clip tagged "rotate 90" comes out portrait and matches ffmpeg's autorotated picture.
    @Test(.needsFFmpeg) func appliesDisplayRotation() throws {
        let folder = try TestMedia.makeTemporaryDirectory("images-rotation")
        defer { try? FileManager.default.removeItem(at: folder) }
        for rotation in [90, 180, 270] {
            let clip = try ImageOracle.makeRotatedClip(clockwise: rotation, at: folder.appendingPathComponent("r\(rotation).mp4"))
            let image = try withFirstFrame(clip) { frame, geometry in
                #expect(geometry.rotation == rotation)
                return try ImageWriter(format: .png, width: rotation == 180 ? 160 : 120).write(
                    frame, geometry: geometry, to: folder.appendingPathComponent("r\(rotation).png").path, inputs: [clip.path])
            }
            let expected = rotation == 180 ? (160, 120) : (120, 160)
            #expect(image.width == expected.0 && image.height == expected.1)
            let ours = try ImageOracle.pixels(URL(fileURLWithPath: image.path))
            let reference = try ImageOracle.ffmpegUprightFirstFrame(clip, size: expected, in: folder)
            #expect(ImageOracle.meanDifference(ours, reference) < 6, "rotation \(rotation)")
        }
    }

    /// Non-square pixels are stretched to square ones: 352x288 stored with SAR 16:11 is shown 512x288.
    @Test(.needsFFmpeg) func appliesSampleAspectRatio() throws {
        let folder = try TestMedia.makeTemporaryDirectory("images-sar")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("sar.mp4"), seconds: 0.4, width: 352, height: 288,
                                          audio: false, extra: ["-vf", "setsar=16/11"])
        let image = try withFirstFrame(clip) { frame, geometry in
            #expect(geometry.sampleAspectRatio == Rational(16, 11))
            return try ImageWriter(format: .jpeg).write(frame, geometry: geometry, to: folder.appendingPathComponent("sar.jpg").path,
                                                        inputs: [clip.path])
        }
        #expect(image.width == 512 && image.height == 288)
        let info = try ImageOracle.describe(URL(fileURLWithPath: image.path))
        #expect(info.width == 512 && info.height == 288)
    }

    @Test(.needsFFmpeg) func refusesToOverwriteTheInputOrWriteIntoAMissingFolder() throws {
        let folder = try TestMedia.makeTemporaryDirectory("images-bad-output")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 0.4, audio: false)
        let sizeBefore = try FileManager.default.attributesOfItem(atPath: clip.path)[.size] as? Int
        try withFirstFrame(clip) { frame, geometry in
            let writer = ImageWriter(format: .jpeg, width: 64)
            #expect(throws: MediaError.self) { try writer.write(frame, geometry: geometry, to: clip.path, inputs: [clip.path]) }
            #expect(throws: MediaError.self) {
                try writer.write(frame, geometry: geometry, to: folder.appendingPathComponent("missing/x.jpg").path, inputs: [clip.path])
            }
        }
        #expect(try FileManager.default.attributesOfItem(atPath: clip.path)[.size] as? Int == sizeBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["clip.mp4"])
    }

    /// PNG is lossless: an in-memory picture comes back from ffmpeg byte for byte.
    @Test(.needsFFmpeg) func pngOfAnRGBImageIsExact() throws {
        let folder = try TestMedia.makeTemporaryDirectory("images-png")
        defer { try? FileManager.default.removeItem(at: folder) }
        var image = RGBImage(width: 37, height: 23, fill: RGBColor(red: 10, green: 200, blue: 90))
        image.fillRectangle(x: 5, y: 4, width: 12, height: 9, color: RGBColor(red: 250, green: 3, blue: 128))
        image.fillRectangle(x: 20, y: 10, width: 40, height: 40, color: .white, opacity: 0.5)
        #expect(image[25, 15] == RGBColor(red: 133, green: 228, blue: 173))
        let written = try ImageWriter.write(image, as: .png, to: folder.appendingPathComponent("exact.png").path, inputs: [])
        #expect(written.width == 37 && written.height == 23)
        #expect(try ImageOracle.pixels(URL(fileURLWithPath: written.path)) == image.pixels)
        // JPEG needs even sides: the odd column and row are cropped.
        let jpeg = try ImageWriter.write(image, as: .jpeg, to: folder.appendingPathComponent("even.jpg").path, inputs: [])
        let info = try ImageOracle.describe(URL(fileURLWithPath: jpeg.path))
        #expect(jpeg.width == 36 && jpeg.height == 22 && info.width == 36 && info.height == 22)
    }

    @Test func geometryKeepsTheDisplayAspect() {
        let anamorphic = PictureGeometry(rotation: 0, sampleAspectRatio: Rational(16, 11))
        #expect(anamorphic.displaySize(storedWidth: 704, storedHeight: 576) == (1024, 576))
        #expect(anamorphic.outputSize(storedWidth: 704, storedHeight: 576, requestedWidth: 320, evenDimensions: true) == (320, 180))
        let portrait = PictureGeometry(rotation: -90, sampleAspectRatio: .zero)
        #expect(portrait.rotation == 270 && portrait.sampleAspectRatio == Rational(1, 1))
        #expect(portrait.outputSize(storedWidth: 1280, storedHeight: 544, requestedWidth: 320, evenDimensions: true) == (320, 752))
        #expect(portrait.outputSize(storedWidth: 1280, storedHeight: 544, requestedWidth: 321, evenDimensions: false) == (321, 755))
    }

    @Test func rotatesRGBImagesByQuarterTurns() {
        // 3x2: a b c / d e f, one channel value per pixel.
        let values: [UInt8] = [1, 2, 3, 4, 5, 6]
        let image = RGBImage(width: 3, height: 2, pixels: values.flatMap { [$0, $0, $0] })
        func red(_ image: RGBImage) -> [UInt8] { stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] } }
        let clockwise = image.rotated(clockwise: 90)
        #expect(clockwise.width == 2 && clockwise.height == 3)
        #expect(red(clockwise) == [4, 1, 5, 2, 6, 3])
        #expect(red(image.rotated(clockwise: 180)) == [6, 5, 4, 3, 2, 1])
        #expect(red(image.rotated(clockwise: 270)) == [3, 6, 2, 5, 1, 4])
        #expect(image.rotated(clockwise: 360) == image)
    }
}
