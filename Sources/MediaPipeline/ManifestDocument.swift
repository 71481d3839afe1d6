import Foundation
import MediaOps

/// The manifest as JSON has it, decoded field by field so that each wrong
/// type or out-of-range value is reported with its key ("parent 1:
/// \"sequence_order\" must be a whole number from 0 to 1000000, not 1e+20"),
/// and every key is either understood, kept, or warned about.
struct ManifestDocument: Decodable {
    /// Why a manifest was refused, in words for the error line.
    struct Failure: Error { var message: String }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let knownKeys: Set<String> = ["provider_id", "provider_job_id", "operation_type", "prompt", "params", "result",
                                         "parents", "submitted_at", "completed_at"]

    var providerID: String
    var providerJobID: String?
    var operationType: String
    var prompt: String?
    var params: JSONValue?
    var result: ResultField?
    var parents: [ParentField]
    var submittedAt: String?
    var completedAt: String?
    /// Top-level keys outside SPEC section 3, kept in `generations.params`.
    var extra: [String: JSONValue]
    var warnings: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let provider = try container.field(String.self, "provider_id", "a string") else {
            throw Failure(message: "missing \"provider_id\"")
        }
        guard !provider.isEmpty, provider.count <= 200 else { throw Failure(message: "\"provider_id\" must be 1 to 200 characters") }
        providerID = provider
        if let text = try? container.field(String.self, "provider_job_id", "a string") {
            providerJobID = text
        } else {
            providerJobID = try container.field(Int64.self, "provider_job_id", "a string or a whole number").map(String.init)
        }
        guard let operation = try container.field(String.self, "operation_type", "a string") else {
            throw Failure(message: "missing \"operation_type\"")
        }
        guard GenerationManifest.operationTypes.contains(operation) else {
            throw Failure(message: "unknown operation_type '\(DisplayText.escaped(operation, maximumLength: 40))' "
                          + "(one of \(GenerationManifest.operationTypes.sorted().joined(separator: ", ")))")
        }
        operationType = operation
        prompt = try container.field(String.self, "prompt", "a string")
        params = try container.field(JSONValue.self, "params", "JSON")
        result = try container.field(ResultField.self, "result", "an object with \"url\" or \"path\", or a string")
        parents = try container.field([ParentField].self, "parents", "an array of objects") ?? []
        submittedAt = try container.field(String.self, "submitted_at", "an ISO 8601 string")
        completedAt = try container.field(String.self, "completed_at", "an ISO 8601 string")
        var extra: [String: JSONValue] = [:]
        for key in container.allKeys where !Self.knownKeys.contains(key.stringValue) {
            extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.extra = extra
        warnings = (result?.warnings ?? []) + parents.flatMap(\.warnings)
        if let resultPath = result?.path {
            for (position, parent) in parents.enumerated() {
                if case .source(let path) = parent.parent.reference, path == resultPath {
                    throw Failure(message: "parent \(position) is the result itself")
                }
            }
        }
    }

    /// `"result"`: a path or URL as a string, or `{"url", "path"}`.
    struct ResultField: Decodable {
        var url: String?
        var path: String?
        var warnings: [String] = []

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                if text.contains("://") { url = text } else { path = text }
                return
            }
            let container = try decoder.container(keyedBy: Key.self)
            url = try container.field(String.self, "url", "a string", context: "result: ")
            path = try container.field(String.self, "path", "a string", context: "result: ")
            guard url != nil || path != nil else { throw Failure(message: "\"result\" has neither \"url\" nor \"path\"") }
            for key in container.allKeys where !["url", "path"].contains(key.stringValue) {
                warnings.append("result: key \"\(DisplayText.escaped(key.stringValue, maximumLength: 60))\" is not understood and was not kept")
            }
        }
    }

    /// One element of `"parents"`.
    struct ParentField: Decodable {
        static let knownKeys: Set<String> = ["asset_id", "sha256", "path", "url", "role", "start_time", "end_time", "frame",
                                             "sequence_order", "transformation"]
        var parent: GenerationManifest.Parent
        var warnings: [String] = []

        init(from decoder: any Decoder) throws {
            let position = decoder.codingPath.last?.intValue ?? 0
            let context = "parent \(position): "
            let container: KeyedDecodingContainer<Key>
            do { container = try decoder.container(keyedBy: Key.self) } catch {
                throw Failure(message: "parent \(position) is not an object")
            }
            let reference: GenerationManifest.Parent.Reference
            if let id = try container.field(Int64.self, "asset_id", "a whole number from 1 to \(Int64.max)", context: context) {
                guard id >= 1 else { throw Failure(message: "\(context)\"asset_id\" must be a whole number from 1 to \(Int64.max), not \(id)") }
                reference = .assetID(id)
            } else if let sha = try container.field(String.self, "sha256", "a string", context: context) {
                guard (4...64).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
                    throw Failure(message: "\(context)\"sha256\" is not hex (4 to 64 hex digits)")
                }
                reference = .sha256(sha.lowercased())
            } else if let path = try container.field(String.self, "path", "a string", context: context)
                        ?? container.field(String.self, "url", "a string", context: context) {
                reference = .source(path)
            } else {
                throw Failure(message: "parent \(position) names no asset_id, sha256 or path")
            }
            let role = try container.field(String.self, "role", "a string", context: context) ?? "source"
            guard !role.isEmpty, role.count <= 100 else { throw Failure(message: "\(context)\"role\" must be 1 to 100 characters") }
            let time = "a time in seconds from 0 to \(Int(TimeParsing.maximumSeconds))"
            let start = try container.field(Double.self, "start_time", time, context: context)
            let end = try container.field(Double.self, "end_time", time, context: context)
            for (key, value) in [("start_time", start), ("end_time", end)] {
                if let value, !TimeParsing.isAcceptable(value) { throw Failure(message: "\(context)\"\(key)\" must be \(time), not \(value)") }
            }
            if let start, let end, end <= start {
                throw Failure(message: "\(context)\"end_time\" (\(end)) must be after \"start_time\" (\(start))")
            }
            let frameRange = 0...GenerationManifest.maximumFrame
            let frameText = "a whole number from 0 to \(GenerationManifest.maximumFrame)"
            let frame = try container.field(Int.self, "frame", frameText, context: context)
            if let frame, !frameRange.contains(frame) { throw Failure(message: "\(context)\"frame\" must be \(frameText), not \(frame)") }
            let orderText = "a whole number from 0 to \(GenerationManifest.maximumSequenceOrder)"
            let order = try container.field(Int.self, "sequence_order", orderText, context: context) ?? position
            guard (0...GenerationManifest.maximumSequenceOrder).contains(order) else {
                throw Failure(message: "\(context)\"sequence_order\" must be \(orderText), not \(order)")
            }
            let transformation = try container.field(JSONValue.self, "transformation", "JSON", context: context)
            parent = GenerationManifest.Parent(reference: reference, role: role, startTime: start, endTime: end, frame: frame,
                                               sequenceOrder: order, transformation: transformation.map(\.jsonText))
            for key in container.allKeys where !Self.knownKeys.contains(key.stringValue) {
                warnings.append("\(context)key \"\(DisplayText.escaped(key.stringValue, maximumLength: 60))\" is not understood and was not kept")
            }
        }
    }
}

extension KeyedDecodingContainer where Key == ManifestDocument.Key {
    /// The value at `name` as `T`, nil when absent or null; a value of another
    /// type is a ``ManifestDocument/Failure`` saying what it must be and what it is.
    func field<T: Decodable>(_ type: T.Type, _ name: String, _ expected: String, context: String = "") throws -> T? {
        let key = Key(name)
        guard contains(key), !((try? decodeNil(forKey: key)) ?? false) else { return nil }
        do {
            return try decode(T.self, forKey: key)
        } catch let failure as ManifestDocument.Failure {
            throw failure
        } catch {
            let found = (try? decode(JSONValue.self, forKey: key)).map { value -> String in
                switch value {
                case .integer, .number, .bool: return value.jsonText
                default: return value.typeName
                }
            } ?? "something else"
            throw ManifestDocument.Failure(message: "\(context)\"\(name)\" must be \(expected), not \(DisplayText.escaped(found, maximumLength: 60))")
        }
    }
}
