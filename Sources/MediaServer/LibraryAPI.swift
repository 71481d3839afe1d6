import Foundation
import HTTPTypes
import Hummingbird
import MediaCore
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// The JSON API under `/api/v1`, as `Resources/openapi.yaml` describes it.
///
/// Written by hand against that document rather than generated: every answer is one of the documents the
/// command line prints (`MediaDocuments`), so the CLI and the API cannot drift apart, and the generator
/// would have added a second, generated model of each of them to map from and keep in step. schemathesis
/// checks the answers against the document (`Tests/MediaServerTests`).
struct LibraryAPI: Sendable {
    let library: LibraryAccess
    let ingest: IngestService
    let jobs: JobQueue?
    let maximumBodyBytes: Int
    let openAPIDocument: ByteBuffer

    static let mediaTypes: Set<String> = ["video", "image", "audio", "other"]

    /// Every route of the API with the methods it answers; any other method gets 405 with `Allow`.
    static let routes: [(path: String, methods: [HTTPRequest.Method])] = [
        ("openapi.yaml", [.get]), ("assets", [.get]), ("assets/:asset", [.get]), ("assets/:asset/segments", [.get]),
        ("assets/:asset/clips", [.get]), ("assets/:asset/branches", [.get]), ("assets/:asset/lineage", [.get]),
        ("assets/:asset/match", [.get]), ("branches/:branch", [.get]), ("jobs", [.get]), ("jobs/:job", [.get]),
        ("ingest", [.post]),
    ]

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        for route in Self.routes {
            let allowed = route.methods.map(\.rawValue).joined(separator: ", ")
            // Other methods (PUT, DELETE, TRACE, …) are refused before routing, by ``APIMethodMiddleware``.
            for method in [HTTPRequest.Method.get, .post] where !route.methods.contains(method) {
                api.on(RouterPath(route.path), method: method) { request, _ in
                    var response = Response.failure(HTTPFailure(.methodNotAllowed, code: .invalidArgument, subject: request.uri.path,
                                                                message: "\(request.method) is not allowed here (allowed: \(allowed))"))
                    response.headers[.allow] = allowed
                    return response
                }
            }
        }
        api.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .xContentTypeOptions: "nosniff"],
                     body: ResponseBody(byteBuffer: openAPIDocument))
        }
        api.get("assets") { request, _ in try await assetPage(request) }
        api.get("assets/:asset") { _, context in
            try await document(context) { store, asset in try AssetDetailDocument(asset, store: store) }
        }
        api.get("assets/:asset/segments") { _, context in
            try await document(context) { store, asset in
                AssetSegmentsDocument(assetID: asset.assetID, segments: try store.segments(assetID: asset.assetID))
            }
        }
        api.get("assets/:asset/clips") { _, context in
            try await document(context) { store, asset in try store.clips(of: asset.assetID).map { ClipDocument($0, rendered: nil) } }
        }
        api.get("assets/:asset/branches") { _, context in
            try await document(context) { store, asset in
                try store.branches(of: asset.assetID).map { BranchDocument($0.branch, variants: $0.variants) }
            }
        }
        api.get("assets/:asset/lineage") { request, context in
            let direction = try Self.direction(request)
            let depth = try Self.integer(request, "max_depth", in: 1...64) ?? 64
            return try await document(context) { store, asset in
                LineageDocument(try store.lineage(of: asset.assetID, direction: direction, maxDepth: depth))
            }
        }
        api.get("assets/:asset/match") { request, context in
            let distance = try Self.integer(request, "max_distance", in: 0...64) ?? 10
            return try await document(context) { store, asset in
                MatchDocument(assetId: asset.assetID, candidates: try store.continuations(of: asset.assetID, maxDistance: distance).map {
                    MatchDocument.Candidate(assetId: $0.assetID, distance: $0.distance)
                })
            }
        }
        api.get("branches/:branch") { _, context in
            let id = try Self.identifier(context, "branch")
            let data = try await library.run { store in
                guard let branch = try store.branch(id: id) else { throw HTTPFailure.notFound("branch \(id)", "no such branch") }
                return try DocumentEncoding.makeEncoder(pretty: false).encode(BranchDocument(branch, variants: try store.variants(of: id)))
            }
            return Response.json(data)
        }
        api.get("jobs") { request, _ in
            let queue = try queue()
            let state = try request.uri.queryParameters.get("state").map { text throws(HTTPFailure) in
                guard let state = MediaJob.State(rawValue: text) else {
                    throw .badRequest("state", "one of \(MediaJob.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            let limit = try Self.integer(request, "limit", in: 1...1000) ?? 50
            return try Response.json(JobListDocument(try await queue.list(state: state, limit: limit)))
        }
        api.get("jobs/:job") { _, context in
            let queue = try queue()
            let id = try Self.identifier(context, "job")
            guard let job = try await queue.job(id: id) else { throw HTTPFailure.notFound("job \(id)", "no such job") }
            return try Response.json(JobDocument(job))
        }
        api.post("ingest") { request, _ in
            let body = try await request.body.collect(upTo: maximumBodyBytes)
            let parsed = try IngestRequest(body: Data(body.readableBytesView), emptyFolder: ingest.emptyFolder)
            let (queued, answer) = try await ingest.ingest(parsed)
            return Response.json(answer, status: queued ? .accepted : .ok)
        }
    }

    /// `GET /api/v1/assets?type=&provider=&operation=&q=&before=&limit=`.
    func assetPage(_ request: Request) async throws -> Response {
        var query = try Self.assetQuery(request)
        let limit = query.limit
        query.limit += 1  // one more than the page tells whether there is a next page
        let probe = query
        let data = try await library.cached(request.uri.description) { store in
            let found = try store.assets(matching: probe)
            let page = AssetPageDocument(Array(found.prefix(limit)), hasMore: found.count > limit)
            return try DocumentEncoding.makeEncoder(pretty: false, convertingKeys: false).encode(page)
        }
        return Response.json(data)
    }

    /// The filters of the asset list, shared by the API and the grid page.
    /// - Throws: ``HTTPFailure`` 400 for a value out of its range.
    static func assetQuery(_ request: Request, defaultLimit: Int = 50) throws(HTTPFailure) -> AssetQuery {
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? {
            guard let value = parameters.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        // Exactly one of the names, or empty for any (no trimming: " video" is not a type).
        let rawType = parameters.get("type") ?? ""
        let type: String? = rawType.isEmpty ? nil : rawType
        if let type, !mediaTypes.contains(type) { throw .badRequest("type", "must be video, image, audio or other") }
        for name in ["provider", "operation", "q"] where (text(name)?.count ?? 0) > 200 {
            throw .badRequest(name, "longer than 200 characters")
        }
        let before = try integer(request, "before", in: 1...Int.max).map(Int64.init)
        let limit = try integer(request, "limit", in: 1...200) ?? defaultLimit
        return AssetQuery(mediaType: type, providerID: text("provider"), operationType: text("operation"), search: text("q"),
                          beforeID: before, limit: limit)
    }

    /// Answers with the document `make` builds for the asset the path names (an id or a SHA-256 prefix).
    func document(_ context: BasicRequestContext,
                  _ make: @escaping @Sendable (any LibraryStore, Asset) throws -> any Encodable) async throws -> Response {
        let reference = context.parameters.get("asset") ?? ""
        let data = try await library.run { store in
            let asset = try store.resolveAsset(reference)
            return try DocumentEncoding.makeEncoder(pretty: false).encode(make(store, asset))
        }
        return Response.json(data)
    }

    func queue() throws(HTTPFailure) -> JobQueue {
        guard let jobs else {
            throw HTTPFailure(.notFound, code: .invalidArgument, subject: library.store.displayName,
                              message: "the job queue needs a PostgreSQL library; this one is SQLite (jobs run inline on ingest)")
        }
        return jobs
    }

    static func direction(_ request: Request) throws(HTTPFailure) -> LineageGraph.Direction {
        guard let text = request.uri.queryParameters.get("direction") else { return .ancestors }
        guard let direction = LineageGraph.Direction(rawValue: text) else {
            throw .badRequest("direction", "must be ancestors or descendants")
        }
        return direction
    }

    /// A path parameter that must be a positive integer id.
    static func identifier(_ context: BasicRequestContext, _ name: String) throws(HTTPFailure) -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0 else {
            throw .badRequest(name, "must be a positive integer id")
        }
        return id
    }

    /// An optional integer query parameter within `range`.
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws(HTTPFailure) -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
