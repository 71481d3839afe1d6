import Foundation
import HTTPTypes
import Hummingbird
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline
import Synchronization

/// Media by content hash: `/media/{sha256}` (the asset's file) and the files derived from it
/// (`/poster.jpg`, `/storyboard.jpg`, `/keyframes/{n}.jpg`), with range requests, the hash as `ETag`, and
/// caching headers.
///
/// No part of a request path is ever joined to a filesystem path: the hash must be 64 lowercase hex digits
/// and is looked up in the library, which answers with the paths it stored; a keyframe is a number, looked
/// up in the keyframes stage's own listing. The bytes go from the file to the socket in the kernel
/// (``SendfileHandler``), never through the process's memory.
struct MediaFiles: Sendable {
    let library: LibraryAccess
    /// `private` when a token guards the server (a shared cache must not keep what needs a token).
    let cacheScope: String
    /// The internal location of an nginx in front (``ServerConfiguration/accelRedirectPrefix``): files are
    /// then sent by nginx, not from here.
    var accelRedirectPrefix: String? = nil
    /// What a hash resolved to. Content named by its hash never changes, so an entry stays true until the
    /// file is evicted (then reading it fails and the entry is dropped).
    let resolvedContent = ResolvedContent()
    static let cacheLimit = 4096

    /// Hashes already looked up, shared by every request (a class: a `Mutex` cannot be copied with a struct).
    final class ResolvedContent: Sendable {
        let entries = Mutex<[String: StoredMedia]>([:])
    }

    /// A file the library stores, as a response needs it.
    struct StoredMedia: Sendable {
        var path: String
        var size: Int
        var eTag: String
        /// The path as ``SendfileHandler`` reads it from a response's field.
        var fieldFormPath: String
        /// The fields every answer about the file carries (tag, type, caching), made once per file rather
        /// than field by field on every request.
        var fields: HTTPFields
        /// Where nginx finds the file (``accelRedirectPrefix``); nil without nginx in front or for a file
        /// outside the store. Worked out when the file is resolved, so a kept entry answers without it:
        /// standardising and percent-encoding the path was a fifth of the CPU of a redirect.
        var accelLocation: String?
    }

    func register(on router: Router<BasicRequestContext>) {
        let media = router.group("media")
        for method in [HTTPRequest.Method.get, .head] {
            media.on(":sha256", method: method) { request, context in
                let sha = try Self.hash(context)
                let stored = try await content(sha)
                do {
                    return try await respond(request, with: stored)
                } catch let error as HTTPError where error.status == .notFound {
                    _ = resolvedContent.entries.withLock { $0.removeValue(forKey: sha) }
                    throw HTTPFailure.notFound(sha, "the file is not in the store (evicted?)")
                }
            }
            media.on(":sha256/poster.jpg", method: method) { request, context in
                let sha = try Self.hash(context)
                let stored = try await derived(sha, name: "poster") { store, asset in
                    guard let path = asset.thumbnailPath else { throw HTTPFailure.notFound(sha, "the asset has no poster") }
                    return path
                }
                return try await respond(request, with: stored)
            }
            media.on(":sha256/storyboard.jpg", method: method) { request, context in
                let sha = try Self.hash(context)
                let stored = try await derived(sha, name: "storyboard") { store, asset in try Self.storyboard(store, asset) }
                return try await respond(request, with: stored)
            }
            media.on(":sha256/keyframes/:image", method: method) { request, context in
                let sha = try Self.hash(context)
                let image = context.parameters.get("image") ?? ""
                guard image.hasSuffix(".jpg") || image.hasSuffix(".png"), let index = Int(image.dropLast(4)), index >= 0 else {
                    throw HTTPFailure.badRequest("keyframe", "name a keyframe by its number: keyframes/0.jpg")
                }
                let stored = try await derived(sha, name: "keyframe-\(index)") { store, asset in
                    try Self.keyframe(index, of: asset, in: store)
                }
                return try await respond(request, with: stored)
            }
        }
    }

    /// The hash in the path: exactly 64 lowercase hex digits, else 400 (nothing else reaches the library).
    static func hash(_ context: BasicRequestContext) throws(HTTPFailure) -> String {
        let text = context.parameters.get("sha256") ?? ""
        guard isHash(text[...]) else {
            throw .badRequest("sha256", "media are named by their SHA-256: 64 lowercase hex digits")
        }
        return text
    }

    /// Whether `text` is a SHA-256 as media are named by it: exactly 64 lowercase hex digits.
    static func isHash(_ text: Substring) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The asset's own file if a request has resolved it before (no library call).
    func known(_ sha: String) -> StoredMedia? {
        resolvedContent.entries.withLock { $0[sha] }
    }

    /// The asset's own file.
    func content(_ sha: String) async throws -> StoredMedia {
        if let known = known(sha) { return known }
        let found = try await library.run { store in
            guard let asset = try store.asset(sha256: sha) else { throw HTTPFailure.notFound(sha, "no asset with this SHA-256") }
            guard let path = asset.localPath, asset.syncStatus != Asset.SyncStatus.evicted.rawValue else {
                throw HTTPFailure.notFound(sha, "the asset's file is not in the store (evicted: `pixsim-media sync \(asset.assetID)`)")
            }
            return try Self.describe(path, contentType: asset.mimeType, eTag: sha, cacheControl: cacheControl(immutable: true))
        }
        let stored = locatedForNginx(found)
        resolvedContent.entries.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[sha] = stored
        }
        return stored
    }

    /// A file derived from the asset, at the path `locate` finds through the library.
    func derived(_ sha: String, name: String,
                 _ locate: @escaping @Sendable (any LibraryStore, Asset) throws -> String) async throws -> StoredMedia {
        let found = try await library.run { store in
            guard let asset = try store.asset(sha256: sha) else { throw HTTPFailure.notFound(sha, "no asset with this SHA-256") }
            return try Self.describe(try locate(store, asset), contentType: nil, eTag: "\(sha).\(name)",
                                     cacheControl: cacheControl(immutable: false))
        }
        return locatedForNginx(found)
    }

    /// `stored` with its ``StoredMedia/accelLocation`` when nginx is in front.
    func locatedForNginx(_ stored: StoredMedia) -> StoredMedia {
        guard let prefix = accelRedirectPrefix else { return stored }
        var located = stored
        located.accelLocation = Self.accelLocation(prefix: prefix, path: stored.path, root: library.store.files.root)
        return located
    }

    /// How long a client may keep an answer: a year for content named by its hash, five minutes for files
    /// made from it (a storyboard can be made again).
    func cacheControl(immutable: Bool) -> String {
        immutable ? "\(cacheScope), max-age=31536000, immutable" : "\(cacheScope), max-age=300"
    }

    /// Size and type of a stored file (a regular file only).
    static func describe(_ path: String, contentType: String?, eTag: String, cacheControl: String) throws(HTTPFailure) -> StoredMedia {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw HTTPFailure.notFound(eTag, "the file is not in the store")
        }
        let type = contentType ?? MediaType.getMediaType(forExtension: URL(fileURLWithPath: path).pathExtension)?.description ?? "application/octet-stream"
        let fields: HTTPFields = [
            .eTag: "\"\(eTag)\"",
            .acceptRanges: "bytes",
            .contentType: type,
            .cacheControl: cacheControl,
            .xContentTypeOptions: "nosniff",
        ]
        return StoredMedia(path: path, size: Int(status.st_size), eTag: eTag,
                           fieldFormPath: SendfileHandler.FileSpan.fieldForm(of: path), fields: fields)
    }

    /// What a request for a stored file gets, worked out from its method and header fields alone: the
    /// route and ``DirectMediaHandler`` (which answers known files without the router) answer alike.
    enum Answer: Equatable {
        /// Header fields only: 304, a HEAD, an empty file, or nginx's internal redirect.
        case fields(HTTPResponse.Status, HTTPFields)
        /// Header fields and these bytes of the file (sent by ``SendfileHandler``).
        case file(HTTPResponse.Status, HTTPFields, Range<Int>)
        /// 416: the range lies outside the file; these fields go on the JSON failure.
        case unsatisfiable(HTTPFields)
    }

    /// 304 when the client holds the file, 206 for a range, 416 outside it, the redirect with nginx in front.
    static func answer(method: HTTPRequest.Method, fields request: HTTPFields, stored: StoredMedia) -> Answer {
        let eTag = "\"\(stored.eTag)\""
        var headers = stored.fields
        if let match = request[.ifNoneMatch],
           match.split(separator: ",").contains(where: { let tag = $0.trimmingCharacters(in: .whitespaces); return tag == eTag || tag == "*" || tag == "W/\(eTag)" }) {
            return .fields(.notModified, headers)
        }
        if let location = stored.accelLocation {
            // nginx serves the file (and the range) from its internal location, with the headers above. The
            // empty body is said (else the answer went chunked and nginx kept no connection to us open).
            headers[.xAccelRedirect] = location
            headers[.contentLength] = "0"
            return .fields(.ok, headers)
        }
        var range = ByteRange(header: request[.range], size: stored.size)
        if let condition = request[.ifRange], condition != eTag { range = .whole }
        let isHead = method == .head
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(stored.size)"
            headers[.contentType] = nil
            return .unsatisfiable(headers)
        case .whole:
            headers[.contentLength] = String(stored.size)
            if isHead || stored.size == 0 { return .fields(.ok, headers) }
            return .file(.ok, headers, 0..<stored.size)
        case .part(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(stored.size)"
            headers[.contentLength] = String(bytes.count)
            if isHead { return .fields(.partialContent, headers) }
            return .file(.partialContent, headers, bytes.lowerBound..<(bytes.upperBound + 1))
        }
    }

    /// The response for a stored file (``answer(method:fields:stored:)``).
    func respond(_ request: Request, with stored: StoredMedia) async throws -> Response {
        switch Self.answer(method: request.method, fields: request.headers, stored: stored) {
        case .fields(let status, let headers):
            return Response(status: status, headers: headers)
        case .file(let status, let headers, let span):
            return try Self.sending(stored, span, status: status, headers: headers)
        case .unsatisfiable(let headers):
            let failure = HTTPFailure(.rangeNotSatisfiable, code: .invalidRange, subject: stored.eTag,
                                      message: "the range is outside the file's \(stored.size) bytes")
            var response = Response.failure(failure)
            for field in headers { response.headers[field.name] = field.value }
            return response
        }
    }

    /// A response whose body is `span` of the stored file, sent by ``SendfileHandler``; 404 (`HTTPError`,
    /// which drops a kept entry) when the file has gone since it was resolved.
    static func sending(_ stored: StoredMedia, _ span: Range<Int>, status: HTTPResponse.Status, headers: HTTPFields) throws -> Response {
        guard let headers = sendfileFields(stored, span, headers) else { throw HTTPError(.notFound) }
        // The headers announce the span's length; the router writes no body (head and end in one write).
        return Response(status: status, headers: headers)
    }

    /// `headers` with the field that has ``SendfileHandler`` send `span` of the file; nil when the file
    /// cannot be read any more.
    static func sendfileFields(_ stored: StoredMedia, _ span: Range<Int>, _ headers: HTTPFields) -> HTTPFields? {
        guard access(stored.path, R_OK) == 0 else { return nil }
        var headers = headers
        headers[.pixsimSendfile] = SendfileHandler.FileSpan.fieldValue(fieldFormPath: stored.fieldFormPath, offset: span.lowerBound,
                                                                     count: span.count)
        return headers
    }

    /// `prefix` + the file's path inside the file store, percent-encoded; nil for a file outside the store
    /// (then the file is sent from here).
    static func accelLocation(prefix: String, path: String, root: URL) -> String? {
        let base = root.standardizedFileURL.path
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        guard file.hasPrefix(base + "/"),
              let relative = String(file.dropFirst(base.count + 1)).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
        else { return nil }
        return (prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix) + "/" + relative
    }

    /// The `index`th keyframe, as the keyframes stage listed it, inside the asset's keyframes folder.
    static func keyframe(_ index: Int, of asset: Asset, in store: any LibraryStore) throws -> String {
        let listing = try KeyframeListing.load(asset: asset, store: store)
        guard let record = listing.first(where: { $0.index == index }) else {
            throw HTTPFailure.notFound("keyframe \(index)", "the asset has no such keyframe")
        }
        // The name comes from our own stage's record; still, it must be a plain name inside the folder.
        let name = record.fileName
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw HTTPFailure.notFound("keyframe \(index)", "the keyframe's recorded name is not a file name")
        }
        return store.files.derivedPath(sha256: asset.sha256, suffix: "keyframes").appendingPathComponent(name).path
    }

    /// The asset's storyboard sheet, made on first request (with the same operation as the `storyboard`
    /// command) and kept beside the stored file; written under `tmp/` and renamed into place whole.
    static func storyboard(_ store: any LibraryStore, _ asset: Asset) throws -> String {
        let destination = store.files.derivedPath(sha256: asset.sha256, suffix: "storyboard.jpg")
        if FileManager.default.fileExists(atPath: destination.path) { return destination.path }
        guard asset.mediaType == "video", let source = asset.localPath, asset.syncStatus == Asset.SyncStatus.stored.rawValue else {
            throw HTTPFailure.notFound(asset.sha256, "only a stored video has a storyboard")
        }
        let temporary = store.files.makeTemporaryPath(pathExtension: "jpg")
        defer { try? FileManager.default.removeItem(at: temporary) }
        _ = try Storyboard.write(source, to: temporary.path, request: StoryboardRequest(count: 12, columns: 6, width: 1200))
        return try store.files.moveIntoPlace(temporary, to: destination).path
    }
}

extension HTTPField.Name {
    /// nginx's internal redirect to the file it should send (`proxy_pass`ed responses only).
    static let xAccelRedirect = HTTPField.Name("X-Accel-Redirect")!
}
