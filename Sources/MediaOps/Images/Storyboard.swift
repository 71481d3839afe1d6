import Foundation
import LibAV

/// What a contact sheet looks like.
public struct StoryboardRequest: Sendable, Hashable {
    /// Number of frames.
    public var count: Int
    /// Frames per row.
    public var columns: Int
    /// Width of the whole sheet in pixels.
    public var width: Int

    public init(count: Int = 12, columns: Int = 4, width: Int = 1280) {
        self.count = count
        self.columns = columns
        self.width = width
    }
}

/// The `storyboard` result: the sheet written and the frames on it.
public struct StoryboardSheet: Sendable, Hashable, Codable {
    public var path: String
    public var output: String
    public var width: Int
    public var height: Int
    public var columns: Int
    public var rows: Int
    public var tiles: [Tile]

    /// One frame on the sheet.
    public struct Tile: Sendable, Hashable, Codable {
        public var time: Double
        public var frame: Int
        /// Position of the picture on the sheet.
        public var x: Int, y: Int, width: Int, height: Int
    }
}

/// A contact sheet: N frames of a video in a grid, each with its time code,
/// under a header with the file name, duration and resolution, as one JPEG.
/// Frames are chosen like `keyframes --strategy uniform` (evenly spread,
/// moved off bad pictures); the text is drawn with ``BitmapFont``.
public enum Storyboard {
    static let margin = 8
    static let gap = 6
    static let background = RGBColor(red: 24, green: 24, blue: 24)

    /// Writes the contact sheet of `path` to `output`.
    /// - Throws: ``MediaError`` for bad input, bad options or a bad destination.
    public static func write(_ path: String, to output: String, request: StoryboardRequest = StoryboardRequest()) throws(MediaError) -> StoryboardSheet {
        guard (1...400).contains(request.count) else {
            throw MediaError(path: path, code: .invalidArgument, message: "--count must be between 1 and 400, not \(request.count)")
        }
        guard (1...50).contains(request.columns) else {
            throw MediaError(path: path, code: .invalidArgument, message: "--columns must be between 1 and 50, not \(request.columns)")
        }
        let columns = min(request.columns, request.count)
        let tileWidth = (request.width - 2 * margin - (columns - 1) * gap) / columns
        guard request.width <= 16384, tileWidth >= 32 else {
            throw MediaError(path: path, code: .invalidArgument,
                             message: "--width \(request.width) is too small for \(columns) columns (or above 16384)")
        }
        let format = ImageFormat(name: URL(fileURLWithPath: output).pathExtension) ?? .jpeg
        _ = try OutputDestination(path: output, inputs: [path])
        let video = try SeekableVideo(path: path)
        let picks = try FramePicker.uniform(video, count: request.count)
        guard let first = picks.first else { throw MediaError(path: path, code: .corrupt, message: "no frame could be decoded") }

        let tileSize = video.geometry.outputSize(storedWidth: first.frame.width, storedHeight: first.frame.height,
                                                 requestedWidth: tileWidth, evenDimensions: false)
        let tileHeight = tileSize.height
        let rows = (picks.count + columns - 1) / columns
        let headerScale = request.width >= 640 ? 2 : 1
        let headerHeight = BitmapFont.glyphHeight * headerScale + 2 * margin
        let sheetHeight = headerHeight + rows * tileHeight + (rows - 1) * gap + margin
        var sheet = RGBImage(width: request.width, height: sheetHeight + sheetHeight % 2, fill: background)

        let name = URL(fileURLWithPath: path).lastPathComponent
        let display = video.geometry.displaySize(storedWidth: first.frame.width, storedHeight: first.frame.height)
        let header = "\(name)  \(TimeParsing.timecode(video.durationSeconds))  \(display.width)x\(display.height)"
        drawText(fitting(header, width: request.width - 2 * margin, scale: headerScale), into: &sheet,
                 x: margin, y: margin, scale: headerScale, box: false)

        let writer = ImageWriter(format: .png)
        let codeScale = tileWidth >= 240 ? 2 : 1
        var tiles: [StoryboardSheet.Tile] = []
        for (number, pick) in picks.enumerated() {
            let x = margin + (number % columns) * (tileWidth + gap)
            let y = headerHeight + (number / columns) * (tileHeight + gap)
            let picture: RGBImage
            do { picture = try writer.makeImage(from: pick.frame, geometry: video.geometry, width: tileWidth) } catch {
                throw MediaError(path: path, libav: error)
            }
            sheet.draw(picture, x: x, y: y)
            let seconds = video.seconds(pick.timestamp)
            let code = TimeParsing.timecode(seconds, alwaysHours: video.durationSeconds >= 3600)
            let textHeight = BitmapFont.glyphHeight * codeScale
            drawText(code, into: &sheet, x: x + 3 * codeScale, y: y + min(tileHeight, picture.height) - textHeight - 3 * codeScale,
                     scale: codeScale, box: true)
            tiles.append(StoryboardSheet.Tile(time: seconds, frame: try video.frameIndex(of: pick.timestamp),
                                              x: x, y: y, width: picture.width, height: picture.height))
        }
        let written = try ImageWriter.write(sheet, as: format, to: output, inputs: [path])
        return StoryboardSheet(path: path, output: written.path, width: written.width, height: written.height,
                               columns: columns, rows: rows, tiles: tiles)
    }

    /// White text, on a half-transparent black box when drawn over a picture.
    static func drawText(_ text: String, into sheet: inout RGBImage, x: Int, y: Int, scale: Int, box: Bool) {
        if box {
            let pad = 2 * scale
            sheet.fillRectangle(x: x - pad, y: y - pad, width: BitmapFont.width(of: text, scale: scale) + 2 * pad,
                                height: BitmapFont.glyphHeight * scale + 2 * pad, color: .black, opacity: 0.6)
        }
        BitmapFont.draw(text, into: &sheet, x: x, y: y, scale: scale, color: .white)
    }

    /// `text`, shortened with "..." in the middle when it would not fit `width` pixels.
    static func fitting(_ text: String, width: Int, scale: Int) -> String {
        let maximum = max(4, (width / scale + 1) / BitmapFont.advance)
        guard text.count > maximum else { return text }
        let keep = maximum - 3
        return String(text.prefix(keep / 2)) + "..." + String(text.suffix(keep - keep / 2))
    }
}
