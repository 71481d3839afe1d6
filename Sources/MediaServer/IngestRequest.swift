import Foundation
import HTTPTypes
import MediaCore
import MediaPipeline

/// The body of `POST /api/v1/ingest`: `{"url": "https://…"}` or `{"manifest": {…}}`, with optional `"stages"`.
///
/// A request comes from another machine, so it may name only what is meant to be fetched: an `http(s)`
/// URL, or a manifest whose result is one and whose parents are assets already in the library (by id or
/// SHA-256) or URLs. Paths and `file://` URLs would let a client import any file the server can read.
struct IngestRequest: Sendable {
    enum Source: Sendable {
        case url(String)
        /// The manifest's JSON text and its parsed form.
        case manifest(text: String, GenerationManifest)
    }

    var source: Source
    /// Normalised stage list (`probe,thumbnail`), nil for the defaults.
    var stages: String?

    /// Reads and checks a request body.
    /// - Parameter emptyFolder: the folder a manifest's relative paths are read from: empty, so none resolves.
    /// - Throws: ``HTTPFailure`` 400 naming what is wrong.
    init(body: Data, emptyFolder: URL) throws(HTTPFailure) {
        let subject = "ingest request"
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .badRequest(subject, "the body must be a JSON object: {\"url\": \"https://…\"} or {\"manifest\": {…}}")
        }
        let known: Set<String> = ["url", "manifest", "stages"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badRequest(subject, "unknown key '\(DisplayText.escaped(unknown, maximumLength: 40))' (keys: url, manifest, stages)")
        }
        if let stageValue = object["stages"] {
            guard let text = stageValue as? String else { throw .badRequest(subject, "\"stages\" must be a string such as \"probe,thumbnail\"") }
            do { stages = try PipelineStage.parseList(text).map(\.name).joined(separator: ",") } catch {
                throw .badRequest(subject, error.message)
            }
        } else {
            stages = nil
        }
        switch (object["url"], object["manifest"]) {
        case (let url as String, nil):
            source = .url(try Self.remoteURL(url, label: "url"))
        case (nil, let manifest as [String: Any]):
            guard let data = try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]) else {
                throw .badRequest(subject, "\"manifest\" is not JSON")
            }
            let parsed: GenerationManifest
            do { parsed = try GenerationManifest.parse(data, subject: "manifest", baseFolder: emptyFolder) } catch {
                throw HTTPFailure(.badRequest, code: error.code, subject: error.subject, message: error.message)
            }
            guard let result = parsed.result ?? parsed.resultURL else {
                throw HTTPFailure(.badRequest, code: .invalidManifest, subject: "manifest", message: "the manifest has no \"result\"")
            }
            _ = try Self.remoteURL(result, label: "the manifest's result")
            for parent in parsed.parents {
                if case .source(let text) = parent.reference { _ = try Self.remoteURL(text, label: "parent '\(parent.role)'") }
            }
            source = .manifest(text: String(decoding: data, as: UTF8.self), parsed)
        case (nil, nil):
            throw .badRequest(subject, "give \"url\" or \"manifest\"")
        case (.some, .some):
            throw .badRequest(subject, "give \"url\" or \"manifest\", not both")
        default:
            throw .badRequest(subject, "\"url\" must be a string and \"manifest\" an object")
        }
    }

    /// An `http(s)` URL with a host, as given.
    static func remoteURL(_ text: String, label: String) throws(HTTPFailure) -> String {
        guard case .remote = try? MediaSource(text) else {
            throw .badRequest(label, "\(DisplayText.escaped(text, maximumLength: 120)) is not an http(s) URL (a request may not name a file on the server)")
        }
        return text
    }

    /// The source the queue and the batch document name: the URL, or the manifest's result.
    var sourceName: String {
        switch source {
        case .url(let url): url
        case .manifest(_, let manifest): manifest.result ?? manifest.resultURL ?? "manifest"
        }
    }
}
