import Foundation
import HTTPTypes
import Hummingbird
import MediaLibrary

/// The HTML pages and the files they load (`/static/site.css`, `/static/site.js`). Each page is built
/// and rendered on the library's threads, the store being synchronous.
struct LibraryPages: Sendable {
    let library: LibraryAccess
    let renderer: PageRenderer
    let staticFiles: [String: (contentType: String, body: ByteBuffer, eTag: String)]
    static let pageSize = 24

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            var query = try LibraryAPI.assetQuery(request, defaultLimit: Self.pageSize)
            let limit = query.limit
            query.limit += 1
            let probe = query
            let renderer = self.renderer
            let html = try await library.cached(request.uri.description) { store in
                let found = try store.assets(matching: probe)
                var shown = probe
                shown.limit = limit
                let page = IndexPage(library: store.displayName, query: shown, assets: Array(found.prefix(limit)),
                                     hasMore: found.count > limit, facets: try store.assetFacets())
                return Data(renderer.render(page, template: "index").utf8)
            }
            return Response.html(html)
        }
        router.get("assets/:asset") { _, context in
            let reference = context.parameters.get("asset") ?? ""
            let renderer = self.renderer
            let html = try await library.run { store in
                let asset = try store.resolveAsset(reference)
                return renderer.render(try AssetPage(library: store.displayName, asset: asset, store: store), template: "asset")
            }
            return Response.html(html)
        }
        router.get("branches/:branch") { _, context in
            let id = try LibraryAPI.identifier(context, "branch")
            let renderer = self.renderer
            let html = try await library.run { store in
                guard let branch = try store.branch(id: id) else { throw HTTPFailure.notFound("branch \(id)", "no such branch") }
                let page = try BranchPage(library: store.displayName, branch: branch, variants: try store.variants(of: id), store: store)
                return renderer.render(page, template: "branch")
            }
            return Response.html(html)
        }
        router.get("static/:file") { request, context in
            guard let name = context.parameters.get("file"), let file = staticFiles[name] else {
                throw HTTPFailure.notFound("static file", "no such file")
            }
            let eTag = "\"\(file.eTag)\""
            var headers: HTTPFields = [.contentType: file.contentType, .eTag: eTag, .cacheControl: "no-cache",
                                       .xContentTypeOptions: "nosniff"]
            if request.headers[.ifNoneMatch] == eTag { return Response(status: .notModified, headers: headers) }
            headers[.contentLength] = String(file.body.readableBytes)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: file.body))
        }
    }
}
