import ArgumentParser
import Foundation
import Logging
import MediaCore
import MediaLibrary
import MediaServer

/// `pixsim-media serve [--bind HOST:PORT] [--token T]`: the library in a browser and over HTTP (SPEC section 8).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the library: pages at /, the JSON API at /api/v1 (described at /api/v1/openapi.yaml), media at /media.",
        discussion: """
        Bound to loopback (127.0.0.1:8470) by default. Bound anywhere else it needs a token \
        (--token, or $PIXSIM_SERVE_TOKEN), and every request must carry `Authorization: Bearer TOKEN`. \
        SIGTERM or SIGINT stops it after the requests in flight finish. One access-log line per request \
        on stderr (-q hides them).
        """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "HOST:PORT to listen on (default 127.0.0.1:8470; port 0 picks a free one).")
    var bind = ServerBinding.defaultBinding.description

    @Option(name: .long, help: "Bearer token every request must carry (default: $PIXSIM_SERVE_TOKEN); required off loopback.")
    var token: String?

    @Option(name: .long, help: ArgumentHelp(
        "Behind nginx: answer /media with X-Accel-Redirect to this internal location, which serves the file store.",
        valueName: "prefix"))
    var accelRedirect: String?

    var effectiveToken: String? {
        let given = token ?? ProcessInfo.processInfo.environment["PIXSIM_SERVE_TOKEN"]
        return given?.isEmpty == true ? nil : given
    }

    func validate() throws {
        let binding: ServerBinding
        do { binding = try ServerBinding(parsing: bind) } catch { throw ValidationError(error.message) }
        if let token = effectiveToken, token.count < 8 || token.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            throw ValidationError("--token must be at least 8 printable ASCII characters without spaces")
        }
        if let prefix = accelRedirect, !prefix.hasPrefix("/") || prefix.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            throw ValidationError("--accel-redirect must be a URI path such as /internal-files, not '\(prefix)'")
        }
        if !binding.isLoopback && effectiveToken == nil {
            throw ValidationError("--bind \(binding) is reachable from other machines: give --token T (or $PIXSIM_SERVE_TOKEN)")
        }
    }

    func run() async throws {
        options.configureLogging(defaultLevel: .info)
        let binding = try ServerBinding(parsing: bind)
        let configuration = ServerConfiguration(binding: binding, token: effectiveToken, accelRedirectPrefix: accelRedirect)
        let quiet = options.quiet
        try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
            let store = try LibraryCommandSupport.openStore(options)
            let announce: @Sendable (Int) async -> Void = { port in
                guard !quiet else { return }
                let host = binding.host.contains(":") ? "[\(binding.host)]" : binding.host
                FileHandle.standardError.write(Data("serving \(DisplayText.escaped(store.displayName)) at http://\(host):\(port)/ (API: /api/v1/openapi.yaml)\n".utf8))
            }
            if JobCommandSupport.isPostgres(options) {
                try await JobCommandSupport.withQueue(options, connections: 2) { _, queue in
                    try await LibraryServer(store: store, configuration: configuration, jobs: queue).run(onListening: announce)
                }
            } else {
                try await LibraryServer(store: store, configuration: configuration).run(onListening: announce)
            }
        }
    }
}
