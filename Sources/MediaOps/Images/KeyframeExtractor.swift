import Foundation
import LibAV

/// How ``KeyframeExtractor`` chooses frames.
public enum KeyframeStrategy: String, Sendable, CaseIterable, Codable {
    /// N frames evenly spread over the video, each moved off black, flat,
    /// blurred or mid-fade pictures to a good one nearby.
    case uniform
    /// One frame per shot: the representative frame of each temporal segment
    /// of ``VideoAnalyzer`` (the sharpest, best exposed, away from transitions).
    case scenes
    /// The container's keyframes only (decoding nothing else), N spread over them.
    case iframes
}

/// What to extract.
public struct KeyframeRequest: Sendable, Hashable {
    /// How many images (for `scenes`, at most this many: the longest shots win).
    public var count: Int
    public var strategy: KeyframeStrategy
    /// Width of the images; nil for the video's display width.
    public var width: Int?
    public var format: ImageFormat

    public init(count: Int = 5, strategy: KeyframeStrategy = .uniform, width: Int? = nil, format: ImageFormat = .jpeg) {
        self.count = count
        self.strategy = strategy
        self.width = width
        self.format = format
    }
}

/// One extracted image (the `keyframes` JSON element).
public struct Keyframe: Sendable, Hashable, Codable {
    /// 0-based position among the extracted images.
    public var index: Int
    /// Presentation time of the frame, seconds from the start of the file.
    public var time: Double
    /// 0-based frame number in presentation order.
    public var frame: Int
    public var path: String
    public var width: Int
    public var height: Int
}

/// The `keyframes` JSON document: `{"path", "keyframes": [...]}`.
public struct KeyframeSet: Sendable, Hashable, Codable {
    public var path: String
    public var keyframes: [Keyframe]
}

/// Extracts representative frames of a video as images, by seeking: the
/// cost grows with the number of images, not with the video's length.
public enum KeyframeExtractor {
    /// Writes the images into `folder` as `<name>_kf_000.jpg`, ... and describes them.
    ///
    /// ```swift
    /// let set = try KeyframeExtractor.extract("clip.mp4", into: "out", request: KeyframeRequest(count: 5))
    /// ```
    /// - Parameters:
    ///   - path: the video.
    ///   - folder: the output folder; created when its parent exists.
    ///   - request: count, strategy, width and format.
    /// - Returns: each image's path, size, exact time and frame number.
    /// - Throws: ``MediaError`` for bad input or output; no image is left behind then.
    public static func extract(_ path: String, into folder: String, request: KeyframeRequest) throws(MediaError) -> KeyframeSet {
        try validate(request, path: path)
        let video = try SeekableVideo(path: path)
        let output = try OutputFolder(path: folder, input: path)
        do throws(MediaError) {
            let picked: [PickedFrame]
            switch request.strategy {
            case .uniform: picked = try FramePicker.uniform(video, count: request.count)
            case .iframes: picked = try FramePicker.keyframes(video, count: request.count)
            case .scenes: picked = try FramePicker.scenes(video, count: request.count)
            }
            guard !picked.isEmpty else { throw MediaError(path: path, code: .corrupt, message: "no frame could be decoded") }
            var shown: [(frame: Frame, time: Double, number: Int)] = []
            for pick in picked { shown.append((pick.frame, video.seconds(pick.timestamp), try video.frameIndex(of: pick.timestamp))) }
            let keyframes = try write(shown, of: path, geometry: video.geometry, format: request.format, width: request.width, into: output)
            output.keep()
            return KeyframeSet(path: path, keyframes: keyframes)
        } catch {
            output.discard()
            throw error
        }
    }

    /// Writes `frames` into `output` as `<video name>_kf_000.<ext>`, ... and describes them.
    /// - Parameter frames: each picture with its time (seconds from the file's start) and frame number.
    static func write(_ frames: [(frame: Frame, time: Double, number: Int)], of path: String, geometry: PictureGeometry,
                      format: ImageFormat, width: Int?, into output: OutputFolder) throws(MediaError) -> [Keyframe] {
        let writer = ImageWriter(format: format, width: width)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var keyframes: [Keyframe] = []
        for (index, shown) in frames.enumerated() {
            let name = "\(stem)_kf_\(threeDigits(index)).\(format.fileExtension)"
            let written = try writer.write(shown.frame, geometry: geometry, to: output.file(name), inputs: [path])
            output.note(written.path)
            keyframes.append(Keyframe(index: index, time: shown.time, frame: shown.number,
                                      path: written.path, width: written.width, height: written.height))
        }
        return keyframes
    }

    static func validate(_ request: KeyframeRequest, path: String) throws(MediaError) {
        guard (1...1000).contains(request.count) else {
            throw MediaError(path: path, code: .invalidArgument, message: "--count must be between 1 and 1000, not \(request.count)")
        }
        if let width = request.width, !(16...8192).contains(width) {
            throw MediaError(path: path, code: .invalidArgument, message: "--width must be between 16 and 8192, not \(width)")
        }
    }

    static func threeDigits(_ value: Int) -> String {
        value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
    }
}

/// An output folder that several files go into, all or nothing: created when
/// missing (if its parent exists), and emptied of what this run wrote (and
/// removed, if this run created it) when the run fails.
final class OutputFolder {
    let path: String
    private let created: Bool
    private var written: [String] = []
    private var kept = false

    init(path: String, input: String) throws(MediaError) {
        var isDirectory: ObjCBool = false
        let resolvedFolder = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let resolvedInput = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
        if resolvedFolder == resolvedInput {
            throw MediaError(path: path, code: .outputConflict, message: "output folder is the input file")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw MediaError(path: path, code: .outputConflict, message: "output path exists and is not a folder")
            }
            created = false
        } else {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw MediaError(path: path, code: .outputUnwritable, message: "parent folder \(parent) does not exist")
            }
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) } catch {
                throw MediaError(path: path, code: .outputUnwritable, message: "cannot create the output folder")
            }
            created = true
        }
        self.path = path
    }

    func file(_ name: String) -> String { URL(fileURLWithPath: path).appendingPathComponent(name).path }
    func note(_ file: String) { written.append(file) }
    func keep() { kept = true }

    func discard() {
        guard !kept else { return }
        for file in written { try? FileManager.default.removeItem(atPath: file) }
        written = []
        if created { try? FileManager.default.removeItem(atPath: path) }
    }

    deinit { discard() }
}
