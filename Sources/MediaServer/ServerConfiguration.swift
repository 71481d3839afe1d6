import Foundation

/// How `serve` runs: where it listens, the token it wants, and its limits.
public struct ServerConfiguration: Sendable {
    public var binding: ServerBinding
    /// The bearer token every request must carry; nil on a loopback bind without `--token`.
    public var token: String?
    /// The largest request body read (a JSON ingest request is a few kilobytes; 1 MiB leaves room for a manifest).
    public var maximumBodyBytes: Int
    /// Seconds before a connection with no request in flight is closed.
    public var idleTimeoutSeconds: Int64
    /// Threads that run the library's blocking calls, away from the event loops.
    public var libraryThreads: Int
    /// When set, `/media` answers carry no body but `X-Accel-Redirect: <prefix>/<path in the file store>`,
    /// for an nginx in front whose internal location at that prefix serves the file store (with sendfile
    /// and its own range handling); this server still resolves the hash, checks the token and answers 304.
    public var accelRedirectPrefix: String?

    public init(binding: ServerBinding = .defaultBinding, token: String? = nil, maximumBodyBytes: Int = 1 << 20,
                idleTimeoutSeconds: Int64 = 60, libraryThreads: Int = 4, accelRedirectPrefix: String? = nil) {
        self.binding = binding
        self.token = token
        self.maximumBodyBytes = maximumBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.libraryThreads = libraryThreads
        self.accelRedirectPrefix = accelRedirectPrefix
    }
}
