import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MediaLibrary
import NIOCore
import NIOPosix

/// `pixsim-media serve`: one process serving the library's pages, its JSON API and its media over HTTP.
///
/// ```swift
/// let server = try LibraryServer(store: store, configuration: ServerConfiguration(token: nil))
/// try await server.run()   // until SIGTERM or SIGINT
/// ```
///
/// Hummingbird runs the server as a service of swift-service-lifecycle: SIGTERM or SIGINT stops accepting
/// connections, lets requests in flight finish, then returns. The library's blocking calls run on a
/// thread pool of their own (``LibraryAccess``), the event loops only move bytes.
public struct LibraryServer: Sendable {
    public let store: any LibraryStore
    public let configuration: ServerConfiguration
    /// The PostgreSQL library's job queue (ingest enqueues, `/api/v1/jobs` lists); nil on SQLite.
    public let jobs: JobQueue?
    public let logger: Logger

    public init(store: any LibraryStore, configuration: ServerConfiguration, jobs: JobQueue? = nil,
                logger: Logger = Logger(label: "pixsim.serve")) {
        self.store = store
        self.configuration = configuration
        self.jobs = jobs
        self.logger = logger
    }

    /// Serves until a shutdown signal.
    /// - Parameter onListening: called with the bound port once the server accepts connections
    ///   (the port the system chose for `--bind HOST:0`).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.libraryThreads))
        threadPool.start()
        let emptyFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent("pixsim-serve-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", isDirectory: true)
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: emptyFolder) }
        let accessLog = AccessLogSink()
        let flushing = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                accessLog.flush()
            }
        }
        defer {
            flushing.cancel()
            accessLog.flush()
        }
        do {
            let application = try makeApplication(threadPool: threadPool, emptyFolder: emptyFolder, accessLog: accessLog,
                                                  onListening: onListening)
            try await application.runService()  // graceful shutdown on SIGTERM and SIGINT (its defaults)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        try await threadPool.shutdownGracefully()
    }

    func makeApplication(threadPool: NIOThreadPool, emptyFolder: URL, accessLog: AccessLogSink,
                         onListening: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let library = LibraryAccess(store: store, threadPool: threadPool)
        let renderer = try PageRenderer()
        let router = Router(context: BasicRequestContext.self)
        // The level the process's logging was set up with (-q, --verbose), the lines buffered.
        let level = Logger(label: "pixsim.serve.access").logLevel
        let accessLogger = Logger(label: "pixsim.serve.access") { label in
            AccessLogHandler(label: label, sink: accessLog, logLevel: level)
        }
        router.add(middleware: AccessLogMiddleware(logger: accessLogger))
        router.add(middleware: FailureMiddleware(pages: renderer, logger: logger))
        if let token = configuration.token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        router.add(middleware: APIMethodMiddleware())
        let api = LibraryAPI(library: library,
                             ingest: IngestService(library: library, jobs: jobs, emptyFolder: emptyFolder),
                             jobs: jobs, maximumBodyBytes: configuration.maximumBodyBytes,
                             openAPIDocument: try Self.resource("openapi", "yaml"))
        api.register(on: router)
        let media = MediaFiles(library: library, cacheScope: configuration.token == nil ? "public" : "private",
                               accelRedirectPrefix: configuration.accelRedirectPrefix)
        media.register(on: router)
        let direct = DirectMediaHandler.Settings(media: media, token: configuration.token, serverName: Self.serverName,
                                                 accessLog: accessLogger)
        let staticFiles = try [
            "site.css": (contentType: "text/css; charset=utf-8", body: Self.resource("site", "css")),
            "site.js": (contentType: "text/javascript; charset=utf-8", body: Self.resource("site", "js")),
            "favicon.svg": (contentType: "image/svg+xml", body: Self.resource("favicon", "svg")),
        ].mapValues { file in (contentType: file.contentType, body: file.body, eTag: Self.fingerprint(file.body)) }
        LibraryPages(library: library, renderer: renderer, staticFiles: staticFiles).register(on: router)
        let binding = configuration.binding
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [SendfileHandler(), DirectMediaHandler.Installer(settings: direct)],
                                                 idleTimeout: .seconds(configuration.idleTimeoutSeconds))),
            configuration: ApplicationConfiguration(address: .hostname(binding.host, port: binding.port), serverName: Self.serverName),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? binding.port) },
            logger: Logger(label: logger.label) { [handler = logger.handler] _ in RequestLogHandler(wrapping: handler) })
    }

    /// Every answer's `Server` field.
    static let serverName = "pixsim-media"

    /// A file of the target's resources.
    static func resource(_ name: String, _ ext: String) throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources")
                ?? Bundle.module.url(forResource: name, withExtension: ext) else {
            throw PageRenderer.TemplateMissing(name: "\(name).\(ext)")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// A short hash of a static file, its ETag (FNV-1a: the file's identity for caches, not a security check).
    static func fingerprint(_ buffer: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in buffer.readableBytesView {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return String(hash, radix: 16)
    }
}
