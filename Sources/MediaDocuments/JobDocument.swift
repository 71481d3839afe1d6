import Foundation
import MediaCore
import MediaLibrary

/// A job as `jobs list`, `jobs show` and `enqueue` print it (times in ISO 8601, UTC).
public struct JobDocument: Encodable, Sendable {
    public var id: Int64
    public var createdAt: String
    public var source: String
    public var manifest: String?
    public var stages: String?
    public var dedupeKey: String
    public var priority: Int
    public var runAfter: String
    public var state: String
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseToken: String?
    public var leaseExpiresAt: String?
    public var lastError: String?
    public var assetId: Int64?
    public var startedAt: String?
    public var finishedAt: String?

    public init(_ job: MediaJob) {
        let time: (Date) -> String = DocumentEncoding.timestamp
        id = job.id
        createdAt = time(job.createdAt)
        source = job.source
        manifest = job.manifest
        stages = job.stages
        dedupeKey = job.dedupeKey
        priority = job.priority
        runAfter = time(job.runAfter)
        state = job.state.rawValue
        attempts = job.attempts
        maxAttempts = job.maxAttempts
        leaseOwner = job.leaseOwner
        leaseToken = job.leaseToken?.uuidString.lowercased()
        leaseExpiresAt = job.leaseExpiresAt.map(time)
        lastError = job.lastError
        assetId = job.assetID
        startedAt = job.startedAt.map(time)
        finishedAt = job.finishedAt.map(time)
    }

    /// Every column, for `jobs show`.
    public var fields: [(String, String?)] {
        [("id", "\(id)"), ("state", state), ("source", source), ("stages", stages), ("priority", "\(priority)"),
         ("attempts", "\(attempts)/\(maxAttempts)"), ("dedupe_key", dedupeKey), ("created_at", createdAt),
         ("run_after", runAfter), ("started_at", startedAt), ("finished_at", finishedAt), ("lease_owner", leaseOwner),
         ("lease_token", leaseToken), ("lease_expires_at", leaseExpiresAt), ("asset_id", assetId.map { "\($0)" }),
         ("last_error", lastError), ("manifest", manifest)]
    }

    /// One line: `#12 queued  attempts 0/5  /path/to/source`.
    public var line: String {
        var text = "#\(id) \(state) attempts \(attempts)/\(maxAttempts) \(Self.printable(source))"
        if let assetId { text += " asset \(assetId)" }
        if let lastError { text += " — \(Self.printable(lastError))" }
        return text
    }

    /// Control characters escaped (we echo what others wrote into the table).
    static func printable(_ text: String) -> String { DisplayText.escaped(text) }
}
