import Foundation
import MediaCore

/// What the backend hands over when a generation completes (SPEC section 3).
///
/// ```json
/// {"provider_id": "pixverse", "provider_job_id": "video_123456", "operation_type": "video_extend",
///  "result": {"url": "https://.../video.mp4"},
///  "parents": [{"sha256": "ab12...", "role": "source_video", "start_time": 0, "end_time": 10.5}]}
/// ```
///
/// Keys this program does not know are kept, with `params`, in `generations.params`.
public struct GenerationManifest: Sendable, Equatable {
    public static let operationTypes: Set<String> = [
        "text_to_video", "image_to_video", "video_extend", "video_transition", "fusion", "text_to_image", "upload",
    ]

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
    /// The manifest file's folder: relative paths are read from there.
    public var baseFolder: URL?

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
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["operation_type"] != nil && object["provider_id"] != nil
    }

    public static func parse(_ data: Data, subject: String, baseFolder: URL?) throws(PipelineError) -> GenerationManifest {
        func invalid(_ message: String) -> PipelineError {
            PipelineError(subject: subject, code: .invalidManifest, message: message)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw invalid("not a JSON object")
        }
        guard let provider = object["provider_id"] as? String, !provider.isEmpty else { throw invalid("missing \"provider_id\"") }
        guard let operation = object["operation_type"] as? String else { throw invalid("missing \"operation_type\"") }
        guard operationTypes.contains(operation) else {
            throw invalid("unknown operation_type '\(operation)' (one of \(operationTypes.sorted().joined(separator: ", ")))")
        }
        let jobID: String? = (object["provider_job_id"] as? String) ?? (object["provider_job_id"] as? NSNumber)?.stringValue

        var result: String?
        var resultURL: String?
        if let resultObject = object["result"] {
            if let text = resultObject as? String {
                result = text
            } else if let dictionary = resultObject as? [String: Any] {
                resultURL = dictionary["url"] as? String
                // A downloaded file beside the manifest beats fetching the URL again.
                if let path = dictionary["path"] as? String {
                    let local = path.hasPrefix("/") ? path : baseFolder.map { $0.appendingPathComponent(path).path } ?? path
                    result = FileManager.default.fileExists(atPath: local) || resultURL == nil ? path : resultURL
                } else {
                    result = resultURL
                }
                if result == nil { throw invalid("\"result\" has neither \"url\" nor \"path\"") }
            } else {
                throw invalid("\"result\" must be an object with \"url\" or \"path\"")
            }
        }

        var parents: [Parent] = []
        guard let parentList = (object["parents"] ?? []) as? [Any] else { throw invalid("\"parents\" must be an array") }
        for (position, item) in parentList.enumerated() {
            guard let parent = item as? [String: Any] else { throw invalid("parent \(position) is not an object") }
            let reference: Parent.Reference
            if let id = (parent["asset_id"] as? NSNumber)?.int64Value {
                reference = .assetID(id)
            } else if let sha = parent["sha256"] as? String {
                guard sha.count >= 4, sha.allSatisfy(\.isHexDigit) else { throw invalid("parent \(position): \"sha256\" is not hex") }
                reference = .sha256(sha.lowercased())
            } else if let path = (parent["path"] as? String) ?? (parent["url"] as? String) {
                reference = .source(path)
            } else {
                throw invalid("parent \(position) names no asset_id, sha256 or path")
            }
            let role = parent["role"] as? String ?? "source"
            let order = (parent["sequence_order"] as? NSNumber)?.intValue ?? position
            parents.append(Parent(reference: reference, role: role,
                                  startTime: (parent["start_time"] as? NSNumber)?.doubleValue,
                                  endTime: (parent["end_time"] as? NSNumber)?.doubleValue,
                                  frame: (parent["frame"] as? NSNumber)?.intValue, sequenceOrder: order))
        }

        // Keep everything not mapped to a column, so nothing the backend sent is lost.
        let mapped: Set<String> = ["provider_id", "provider_job_id", "operation_type", "prompt", "result", "parents",
                                   "submitted_at", "completed_at"]
        var kept: [String: Any] = [:]
        for (key, value) in object where !mapped.contains(key) { kept[key] = value }
        var paramsJSON: String?
        if !kept.isEmpty, let encoded = try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]) {
            paramsJSON = String(decoding: encoded, as: UTF8.self)
        }

        return GenerationManifest(
            providerID: provider, providerJobID: jobID, operationType: operation, prompt: object["prompt"] as? String,
            paramsJSON: paramsJSON, result: result, resultURL: resultURL, parents: parents,
            submittedAt: try parseDate(object["submitted_at"], key: "submitted_at", subject: subject),
            completedAt: try parseDate(object["completed_at"], key: "completed_at", subject: subject),
            baseFolder: baseFolder)
    }

    static func parseDate(_ value: Any?, key: String, subject: String) throws(PipelineError) -> Date? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw PipelineError(subject: subject, code: .invalidManifest, message: "\"\(key)\" must be an ISO 8601 string")
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw PipelineError(subject: subject, code: .invalidManifest, message: "\"\(key)\" is not an ISO 8601 time: \(text)")
    }
}
