import Foundation
import MediaOps

/// Where the files a manifest names may come from (SPEC section 6). A
/// manifest is data from elsewhere (the inbox is writable by the backend), and
/// we run as root: `"path": "../../etc/shadow"` must not import that file.
/// Paths are confined to the manifest's folder and its subfolders, or to the
/// roots an operator allows (`--allow-root`), after symbolic links are
/// resolved; `file://` URLs are refused unless allowed (`--allow-file-urls`),
/// and then confined the same way.
public struct ManifestConfinement: Sendable, Equatable {
    /// Folders besides the manifest's own that its paths may name.
    public var allowedRoots: [URL]
    /// Whether `file://` URLs in a manifest are accepted at all.
    public var allowsFileURLs: Bool

    public init(allowedRoots: [URL] = [], allowsFileURLs: Bool = false) {
        self.allowedRoots = allowedRoots
        self.allowsFileURLs = allowsFileURLs
    }

    /// The source `text` names, read relative to the manifest's folder.
    /// - Parameters:
    ///   - label: what names it, for the message (`result`, `parent 1 (source_video)`).
    ///   - subject: the manifest, as the error names it.
    /// - Throws: ``PipelineError`` `invalid_manifest` for a `file://` URL not allowed or a path outside every root.
    public func source(_ text: String, in manifest: GenerationManifest, label: String, subject: String) throws(PipelineError) -> MediaSource {
        func refuse(_ reason: String) -> PipelineError {
            PipelineError(subject: subject, code: .invalidManifest, message: "\(label): \(DisplayText.escaped(text, maximumLength: 120)) \(reason)")
        }
        if text.lowercased().hasPrefix("file:"), !allowsFileURLs {
            throw refuse("is a file:// URL; a manifest may not name one unless --allow-file-urls is given")
        }
        let source: MediaSource
        do { source = try MediaSource(text, relativeTo: manifest.baseFolder) } catch {
            throw PipelineError(subject: subject, code: .invalidManifest, message: "\(label): \(error.message)")
        }
        guard case .file(let path) = source else { return source }
        let roots = ([manifest.baseFolder ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] + allowedRoots)
            .map { Self.resolved($0.path) }
        let target = Self.resolved(path)
        guard roots.contains(where: { target == $0 || target.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw refuse("is outside the manifest's folder; give --allow-root DIR to allow files under DIR")
        }
        return source
    }

    /// The path with `.`/`..` removed and every symbolic link resolved (of the
    /// longest existing prefix, for a file not there yet).
    static func resolved(_ path: String) -> String {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        if let real = realpath(standardized, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = URL(fileURLWithPath: standardized).deletingLastPathComponent().path
        guard parent != standardized, parent != "/" else { return standardized }
        return (resolved(parent) as NSString).appendingPathComponent(URL(fileURLWithPath: standardized).lastPathComponent)
    }
}
