import Foundation
import MediaCore

/// Where a file comes from: a local path (given plainly or as a `file://`
/// URL) or an `http(s)://` URL to download.
public enum MediaSource: Sendable, Equatable, CustomStringConvertible {
    case file(path: String)
    case remote(url: URL)

    /// Reads a source as given on the command line or in a manifest.
    /// - Parameter relativeTo: the folder relative paths are read from (a manifest's folder).
    /// - Throws: ``PipelineError`` for a URL scheme the pipeline cannot fetch.
    public init(_ text: String, relativeTo base: URL? = nil) throws(PipelineError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let url = URL(string: text), url.host != nil else {
                throw PipelineError(subject: text, code: .invalidArgument, message: "not a valid URL")
            }
            self = .remote(url: url)
        } else if lowered.hasPrefix("file://") {
            guard let url = URL(string: text), url.isFileURL else {
                throw PipelineError(subject: text, code: .invalidArgument, message: "not a valid file URL")
            }
            self = .file(path: url.path)
        } else if let colon = text.firstIndex(of: ":"), text[..<colon].count > 1,
                  text[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
                  text[colon...].hasPrefix("://") {
            throw PipelineError(subject: text, code: .invalidArgument,
                                message: "unsupported URL scheme '\(text[..<colon])' (use a path, file://, http:// or https://)")
        } else if let colon = text.firstIndex(of: ":"), Self.schemesWithoutSlashes.contains(text[..<colon].lowercased()) {
            // `data:video/mp4;base64,...` is not a file name; say what it is rather than "no such file".
            throw PipelineError(subject: String(text.prefix(40)), code: .invalidArgument,
                                message: "unsupported URL scheme '\(text[..<colon])' (use a path, file://, http:// or https://)")
        } else if let base, !text.hasPrefix("/") {
            self = .file(path: base.appendingPathComponent(text).standardizedFileURL.path)
        } else {
            self = .file(path: text)
        }
    }

    /// URL schemes written without `//` that would otherwise be taken for a relative file name.
    static let schemesWithoutSlashes: Set<String> = ["data", "blob", "javascript", "about", "mailto"]

    public var description: String {
        switch self {
        case .file(let path): return path
        case .remote(let url): return url.absoluteString
        }
    }

    /// The file extension the content is likely to have (for the stored file's name).
    var pathExtension: String {
        switch self {
        case .file(let path): return URL(fileURLWithPath: path).pathExtension
        case .remote(let url): return url.pathExtension
        }
    }
}
