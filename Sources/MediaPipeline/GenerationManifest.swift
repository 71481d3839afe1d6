import Foundation
import MediaCore
import MediaOps

/// What the backend hands over when a generation completes (SPEC section 3).
///
/// ```json
/// {"provider_id": "pixverse", "provider_job_id": "video_123456", "operation_type": "video_extend",
///  "result": {"url": "https://.../video.mp4"},
///  "parents": [{"sha256": "ab12...", "role": "source_video", "start_time": 0, "end_time": 10.5}]}
/// ```
///
/// Decoded with `Decodable` and range-checked as it is read, so a wrong type
/// or an absurd value is one clear error naming the key, not a wrapped number
/// in the library. Top-level keys this program does not know are kept, with
/// `params`, in `generations.params`; unknown keys inside `result` or a parent
/// are reported in ``warnings``.
public struct GenerationManifest: Sendable, Equatable {
    public static let operationTypes: Set<String> = [
        "text_to_video", "image_to_video", "video_extend", "video_transition", "fusion", "text_to_image", "upload",
    ]
    /// The largest `sequence_order` accepted: far beyond any real generation, far below any integer overflow.
    public static let maximumSequenceOrder = 1_000_000
    /// The largest parent `frame` accepted (a day of 1000 fps video).
    public static let maximumFrame = 86_400_000

    public var providerID: String
    public var providerJobID: String?
    public var operationType: String
    public var prompt: String?
    /// `params` merged with the unknown top-level keys, as JSON text.
    public var paramsJSON: String?
    /// The result: a path (relative to the manifest) or a URL, or nil when given on the command line.
    /// When the manifest gives both and the file is there, the file is used and the URL remembered.
    public var result: String?
    /// The result's URL, when the manifest gives one (kept as the asset's `remote_url`).
    public var resultURL: String?
    public var parents: [Parent]
    public var submittedAt: Date?
    public var completedAt: Date?
    /// The manifest file's folder: relative paths are read from there, and no path may leave it
    /// (unless an allowed root is given, see ``ManifestConfinement``).
    public var baseFolder: URL?
    /// Keys that were not understood, and other things worth a word, one line each.
    public var warnings: [String] = []

    /// A parent of the generation, named by id, hash or path.
    public struct Parent: Sendable, Equatable {
        public enum Reference: Sendable, Equatable {
            case assetID(Int64)
            case sha256(String)
            case source(String)
        }
        public var reference: Reference
        public var role: String
        public var startTime: Double?
        public var endTime: Double?
        public var frame: Int?
        public var sequenceOrder: Int
        /// The backend's description of what was done with the parent
        /// (`{"action": "zoom_in", "frame_position": 48}`), as JSON text.
        public var transformation: String?
    }

    /// Reads a manifest file.
    /// - Throws: ``PipelineError`` `invalid_manifest` naming the file and what is wrong.
    public static func load(_ path: String) throws(PipelineError) -> GenerationManifest {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw PipelineError(subject: path, code: .invalidManifest, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, subject: path, baseFolder: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Whether a JSON file looks like a generation manifest (for `batch` and `watch`, which meet other JSON too).
    public static func looksLikeManifest(_ path: String) -> Bool {
        struct Marker: Decodable {
            var providerID: JSONValue
            var operationType: JSONValue
            enum CodingKeys: String, CodingKey { case providerID = "provider_id", operationType = "operation_type" }
        }
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return (try? JSONDecoder().decode(Marker.self, from: data)) != nil
    }

    public static func parse(_ data: Data, subject: String, baseFolder: URL?) throws(PipelineError) -> GenerationManifest {
        let document: ManifestDocument
        do {
            document = try JSONDecoder().decode(ManifestDocument.self, from: data)
        } catch let failure as ManifestDocument.Failure {
            throw PipelineError(subject: subject, code: .invalidManifest, message: failure.message)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            throw PipelineError(subject: subject, code: .invalidManifest, message: "not valid JSON (\(reason))")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            let found = (try? JSONDecoder().decode(JSONValue.self, from: data))?.typeName ?? "not an object"
            throw PipelineError(subject: subject, code: .invalidManifest, message: "not a JSON object but \(found)")
        } catch {
            throw PipelineError(subject: subject, code: .invalidManifest, message: "cannot decode: \(error)")
        }
        var manifest = GenerationManifest(
            providerID: document.providerID, providerJobID: document.providerJobID, operationType: document.operationType,
            prompt: document.prompt, paramsJSON: nil, result: nil, resultURL: nil, parents: document.parents.map(\.parent),
            submittedAt: try parseDate(document.submittedAt, key: "submitted_at", subject: subject),
            completedAt: try parseDate(document.completedAt, key: "completed_at", subject: subject),
            baseFolder: baseFolder, warnings: document.warnings)
        if let result = document.result {
            manifest.resultURL = result.url
            if let path = result.path {
                // A downloaded file beside the manifest beats fetching the URL again.
                let local = path.hasPrefix("/") ? path : baseFolder.map { $0.appendingPathComponent(path).path } ?? path
                manifest.result = FileManager.default.fileExists(atPath: local) || result.url == nil ? path : result.url
            } else {
                manifest.result = result.url
            }
        }
        // Keep everything not mapped to a column, so nothing the backend sent is lost.
        var kept = document.extra
        if let params = document.params { kept["params"] = params }
        if !kept.isEmpty { manifest.paramsJSON = JSONValue.object(kept).jsonText }
        return manifest
    }

    static func parseDate(_ text: String?, key: String, subject: String) throws(PipelineError) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw PipelineError(subject: subject, code: .invalidManifest,
                            message: "\"\(key)\" is not an ISO 8601 time: \(DisplayText.escaped(text))")
    }
}
