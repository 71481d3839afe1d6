import Foundation
import MediaLibrary
import MediaOps

/// How a user names an asset (every command argument `ASSET`): its id, a
/// SHA-256 prefix (4 hex digits or more), or the path of a file, which is
/// hashed and looked up (the same bytes are the same asset wherever they are).
public enum AssetReference {
    /// The asset `reference` names.
    ///
    /// A reference made only of hex digits is first an id or a SHA-256 prefix;
    /// if the library has no such asset but a file of that name exists, it is
    /// the file. Anything else is a path.
    /// - Throws: `not_found` ("not in the library") for a file the library does
    ///   not hold or a path that does not exist; the library's `not_found` or
    ///   `ambiguous` for ids and prefixes; a `MediaError` for an unreadable file.
    public static func resolve(_ reference: String, in store: any LibraryStore) throws -> Asset {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        let isHex = !trimmed.isEmpty && trimmed.allSatisfy(\.isHexDigit)
        if isHex {
            let failure: LibraryError
            do { return try store.resolveAsset(trimmed) } catch { failure = error }
            let fileMayBeMeant = failure.code == .notFound || failure.code == .invalidArgument
            if !fileMayBeMeant || !isRegularFile(reference) { throw failure }
        }
        guard isRegularFile(reference) else {
            throw PipelineError(subject: reference, code: .notFound,
                                message: "no such file, and not an asset id or a SHA-256 prefix (at least 4 hex digits)")
        }
        let sha256 = try FileDigest.sha256(ofFile: reference)
        guard let asset = try store.asset(sha256: sha256) else {
            throw PipelineError(subject: reference, code: .notFound, message: "not in the library (SHA-256 \(sha256.prefix(12))…)")
        }
        return asset
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
