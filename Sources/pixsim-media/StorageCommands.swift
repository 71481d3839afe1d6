import ArgumentParser
import Foundation
import MediaCore
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media evict [--max-bytes N] [--older-than DAYS] [--dry-run] [--force]`.
struct EvictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evict",
        abstract: "Drop stored files that can be downloaded again, least recently used first.",
        discussion: """
        Only files of assets with a URL go (unless --force), least recently read or rendered first, down to \
        --max-bytes of stored files or those unused for --older-than days. Rows, posters, keyframes and \
        segments stay; the asset shows as evicted, and `sync` (or any command that needs the file) downloads \
        it again, checked against its SHA-256.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "Keep at most this many bytes of stored files.")
    var maxBytes: Int64?

    @Option(name: .long, help: "Drop files not read or rendered for this many days.")
    var olderThan: Double?

    @Flag(name: .long, help: "List what would go; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Also drop files that have no URL to come back from (they are then lost).")
    var force = false

    func validate() throws {
        if maxBytes == nil && olderThan == nil { throw ValidationError("give --max-bytes or --older-than") }
        if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must not be negative") }
        if let olderThan, !(olderThan >= 0 && olderThan <= 36_500) { throw ValidationError("--older-than must be between 0 and 36500 days") }
    }

    struct Document: Encodable {
        var evicted: [Entry]
        var freedBytes: Int64
        var keptWithoutSource: Int
        var dryRun: Bool
        struct Entry: Encodable {
            var assetId: Int64
            var path: String
            var bytes: Int64
        }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
            let store = try LibraryCommandSupport.openStore(options)
            let eviction = StorageEviction(store: store)
            let plan = try eviction.plan(maxBytes: maxBytes, olderThan: olderThan.map { $0 * 86_400 }, force: force)
            if !dryRun { for asset in plan.evict { try eviction.evict(asset) } }
            let entries = plan.evict.map {
                Document.Entry(assetId: $0.assetID, path: $0.localPath.map(store.files.storedForm) ?? "", bytes: $0.fileSizeBytes)
            }
            if options.json {
                try CommandOutput.printJSON(Document(evicted: entries, freedBytes: plan.freedBytes,
                                                     keptWithoutSource: plan.keptWithoutSource.count, dryRun: dryRun))
            } else if !options.quiet {
                for entry in entries {
                    CommandOutput.printLine("\(dryRun ? "would evict" : "evicted") asset \(entry.assetId): \(DisplayText.escaped(entry.path)) (\(entry.bytes) bytes)")
                }
                CommandOutput.printLine("\(dryRun ? "would free" : "freed") \(plan.freedBytes) bytes in \(entries.count) file(s); "
                                        + "\(plan.keptWithoutSource.count) kept: no URL to download them again (--force drops them)")
            }
        }
    }
}

/// `pixsim-media sync ASSET`: brings an evicted (or lost) file back, checked against its SHA-256.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Bring an asset's file back into the store (after evict), checked against its SHA-256."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: asset) {
            let store = try LibraryCommandSupport.openStore(options)
            let found = try LibraryCommandSupport.resolve(asset, in: store)
            let check = StoredFileIntegrity(store: store).check(found, repair: true)
            guard check.verdict == .intact || check.verdict == .repaired else {
                throw PipelineError(subject: asset, code: .storage, message: check.detail)
            }
            try? store.recordAccess(assetID: found.assetID)
            let refreshed = try store.asset(id: found.assetID) ?? found
            if options.json {
                try CommandOutput.printJSON(AssetDocument(refreshed))
            } else if !options.quiet {
                CommandOutput.printLine("asset \(found.assetID): \(check.verdict == .repaired ? check.detail : "already stored")")
            }
        }
    }
}
