import Foundation
import LibAV
import MediaOps

/// A timeline as `compose --timeline` reads it (SPEC section 9):
///
/// ```json
/// {"fps": 30, "size": "1280x720", "pix_fmt": "yuv420p",
///  "items": [{"asset": 12, "start": 0, "end": 4.5},
///            {"asset": "ab12cd", "segment": 2, "transition_in": {"type": "crossfade", "frames": 12}},
///            {"clip": 7, "transition_in": {"type": "fade_black", "frames": 10}}]}
/// ```
///
/// `fps`, `size` and `pix_fmt` are optional (the first item's otherwise). An
/// item is an asset range (`asset` id or SHA-256 prefix, `start`, `end` in
/// seconds), a segment of an asset (`segment`: its index), or a clip bookmark
/// (`clip`: its id). `transition_in` (SPEC's `transition` is read too) is a
/// `cut`, `crossfade` or `fade_black` (or `fade`) of `frames` frames. Each
/// wrong key is refused on its own, naming it.
public struct TimelineDocument: Decodable, Sendable {
    /// What an item names.
    public enum Source: Sendable, Hashable {
        case range(asset: String, start: Double, end: Double)
        case segment(asset: String, index: Int)
        case clip(id: Int64)
    }

    public struct Item: Sendable, Hashable {
        public var source: Source
        public var transitionIn: TimelineTransition
    }

    public var frameRate: Rational?
    public var width: Int?
    public var height: Int?
    public var pixelFormat: PixelFormat?
    public var items: [Item]

    static let knownKeys: Set<String> = ["fps", "size", "pix_fmt", "items"]
    static let itemKeys: Set<String> = ["asset", "start", "end", "segment", "clip", "transition_in", "transition"]
    static let maximumItems = 10_000

    /// Reads and checks a timeline file.
    /// - Throws: ``PipelineError`` `invalid_argument` naming the file and the first wrong key.
    public static func load(path: String) throws(PipelineError) -> TimelineDocument {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineError(subject: path, code: .notFound, message: "no such timeline file")
        }
        guard !isDirectory.boolValue else { throw PipelineError(subject: path, code: .notAFile, message: "is a directory, not a timeline file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(subject: path, code: .unreadable, message: "cannot read the timeline file")
        }
        guard data.count <= 16 << 20 else { throw PipelineError(subject: path, code: .tooLarge, message: "a timeline file is at most 16 MiB") }
        do {
            return try JSONDecoder().decode(TimelineDocument.self, from: data)
        } catch let failure as ManifestDocument.Failure {
            throw PipelineError(subject: path, code: .invalidArgument, message: failure.message)
        } catch {
            throw PipelineError(subject: path, code: .invalidArgument, message: "not a JSON timeline object")
        }
    }

    public init(from decoder: any Swift.Decoder) throws {
        typealias Failure = ManifestDocument.Failure
        let container = try decoder.container(keyedBy: ManifestDocument.Key.self)
        for key in container.allKeys where !Self.knownKeys.contains(key.stringValue) {
            throw Failure(message: "unknown key \"\(DisplayText.escaped(key.stringValue, maximumLength: 40))\" (known: fps, size, pix_fmt, items)")
        }
        if let fps = try container.field(Double.self, "fps", "a number or \"N/D\"", context: "") {
            guard fps.isFinite, fps > 0, fps <= 240 else { throw Failure(message: "\"fps\" must be above 0 and at most 240, not \(fps)") }
            frameRate = Rational(approximating: fps, maxDenominator: 1001 * 1000).reduced
        } else if container.contains(ManifestDocument.Key("fps")) {
            let text = try container.field(String.self, "fps", "a number or \"N/D\"") ?? ""
            let parts = text.split(separator: "/").compactMap { Int32($0) }
            guard parts.count == 2, parts[0] > 0, parts[1] > 0, Double(parts[0]) / Double(parts[1]) <= 240 else {
                throw Failure(message: "\"fps\" must be a number or \"N/D\" above 0 and at most 240, not \"\(DisplayText.escaped(text, maximumLength: 30))\"")
            }
            frameRate = Rational(parts[0], parts[1]).reduced
        }
        if let size = try container.field(String.self, "size", "\"WIDTHxHEIGHT\"") {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (16...8192).contains(parts[0]), (16...8192).contains(parts[1]) else {
                throw Failure(message: "\"size\" must be \"WIDTHxHEIGHT\" with each from 16 to 8192, not \"\(DisplayText.escaped(size, maximumLength: 30))\"")
            }
            width = parts[0]
            height = parts[1]
        }
        if let name = try container.field(String.self, "pix_fmt", "a pixel format name") {
            guard let format = PixelFormat(name: name) else {
                throw Failure(message: "\"pix_fmt\" '\(DisplayText.escaped(name, maximumLength: 30))' is not a pixel format this FFmpeg knows")
            }
            pixelFormat = format
        }
        guard let raw = try container.field([ItemField].self, "items", "an array of objects") else { throw Failure(message: "missing \"items\"") }
        guard !raw.isEmpty else { throw Failure(message: "\"items\" is empty: a timeline needs at least one item") }
        guard raw.count <= Self.maximumItems else { throw Failure(message: "\"items\" has \(raw.count) items; at most \(Self.maximumItems)") }
        items = raw.map(\.item)
        for (position, item) in items.enumerated() where position == 0 && item.transitionIn.kind != .cut {
            throw Failure(message: "item 1: \"transition_in\" of the first item has nothing to come from")
        }
    }

    /// One element of `items`, checked key by key.
    struct ItemField: Decodable {
        var item: Item

        init(from decoder: any Swift.Decoder) throws {
            typealias Failure = ManifestDocument.Failure
            let position = (decoder.codingPath.last?.intValue ?? 0) + 1
            let context = "item \(position): "
            let container = try decoder.container(keyedBy: ManifestDocument.Key.self)
            for key in container.allKeys where !TimelineDocument.itemKeys.contains(key.stringValue) {
                throw Failure(message: "\(context)unknown key \"\(DisplayText.escaped(key.stringValue, maximumLength: 40))\"")
            }
            let asset: String?
            if let id = try? container.field(Int64.self, "asset", "", context: context) {
                guard id > 0 else { throw Failure(message: "\(context)\"asset\" must be a positive id, not \(id)") }
                asset = String(id)
            } else {
                asset = try container.field(String.self, "asset", "an asset id or a SHA-256 prefix", context: context)
            }
            let clip = try container.field(Int64.self, "clip", "a clip id (a whole number)", context: context)
            let segment = try container.field(Int.self, "segment", "a segment index (a whole number)", context: context)
            let start = try container.field(Double.self, "start", "a time in seconds", context: context)
            let end = try container.field(Double.self, "end", "a time in seconds", context: context)
            if let clip {
                guard asset == nil, segment == nil, start == nil, end == nil else {
                    throw Failure(message: "\(context)a \"clip\" item takes no \"asset\", \"segment\", \"start\" or \"end\"")
                }
                guard clip > 0 else { throw Failure(message: "\(context)\"clip\" must be a positive id, not \(clip)") }
                item = Item(source: .clip(id: clip), transitionIn: .cut)
            } else if let asset {
                if let segment {
                    guard start == nil, end == nil else { throw Failure(message: "\(context)a \"segment\" item takes no \"start\" or \"end\"") }
                    guard segment >= 0 else { throw Failure(message: "\(context)\"segment\" must be 0 or more, not \(segment)") }
                    item = Item(source: .segment(asset: asset, index: segment), transitionIn: .cut)
                } else {
                    guard let start else { throw Failure(message: "\(context)missing \"start\" (or give \"segment\")") }
                    guard let end else { throw Failure(message: "\(context)missing \"end\"") }
                    guard start.isFinite, start >= 0, start < 1_000_000 else {
                        throw Failure(message: "\(context)\"start\" must be from 0 to 1000000 seconds, not \(start)")
                    }
                    guard end.isFinite, end > start, end <= 1_000_000 else {
                        throw Failure(message: "\(context)\"end\" must be after \"start\" (\(start)) and at most 1000000 seconds, not \(end)")
                    }
                    item = Item(source: .range(asset: asset, start: start, end: end), transitionIn: .cut)
                }
            } else {
                throw Failure(message: "\(context)name an \"asset\" (with \"start\" and \"end\", or \"segment\") or a \"clip\"")
            }
            let transitionKey = container.contains(ManifestDocument.Key("transition_in")) ? "transition_in" : "transition"
            if let transition = try container.field(TransitionField.self, transitionKey, "an object {\"type\", \"frames\"}", context: context) {
                item.transitionIn = try transition.transition(context: context + "\"\(transitionKey)\" ")
            }
        }
    }

    struct TransitionField: Decodable {
        var type: String
        var frames: Int?

        func transition(context: String) throws -> TimelineTransition {
            let kinds = ["cut": TimelineTransition.Kind.cut, "crossfade": .crossfade, "dissolve": .crossfade, "fade_black": .fadeBlack, "fade": .fadeBlack]
            guard let kind = kinds[type] else {
                throw ManifestDocument.Failure(message: "\(context)type '\(DisplayText.escaped(type, maximumLength: 30))' is not cut, crossfade or fade_black")
            }
            if kind == .cut { return .cut }
            guard let frames else { throw ManifestDocument.Failure(message: "\(context)needs \"frames\"") }
            guard (1...10_000).contains(frames) else {
                throw ManifestDocument.Failure(message: "\(context)\"frames\" must be from 1 to 10000, not \(frames)")
            }
            return TimelineTransition(kind: kind, frames: frames)
        }
    }
}
