import ArgumentParser
import Foundation
import MediaLibrary
import MediaPipeline

/// `pixsim-media verify [--repair]`: every stored file checked against its asset's SHA-256.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every stored file against its SHA-256; with --repair, restore damaged ones from their originals.",
        discussion: "Files whose size and modification time are unchanged since their last good check are not hashed again. Exit 1 when a file is damaged or missing."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Restore a damaged or missing file from the asset's original path when that holds the right bytes.")
    var repair = false

    struct Document: Encodable {
        var checked: Int
        var intact: Int
        var repaired: Int
        var damaged: Int
        var missing: Int
        var problems: [Problem]
        struct Problem: Encodable {
            var assetId: Int64
            var path: String?
            var verdict: String
            var detail: String
        }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
            let store = try LibraryCommandSupport.openStore(options)
            let integrity = StoredFileIntegrity(store: store)
            // An evicted file is absent on purpose (`sync` brings it back): nothing to verify.
            let checks = try store.assets().filter { $0.syncStatus != Asset.SyncStatus.evicted.rawValue }
                .map { integrity.check($0, repair: repair) }
            func count(_ verdict: StoredFileIntegrity.Verdict) -> Int { checks.filter { $0.verdict == verdict }.count }
            let problems = checks.filter { $0.verdict != .intact }
            if options.json {
                try CommandOutput.printJSON(Document(
                    checked: checks.count, intact: count(.intact), repaired: count(.repaired), damaged: count(.damaged),
                    missing: count(.missing), problems: problems.map {
                        Document.Problem(assetId: $0.assetID, path: $0.path, verdict: $0.verdict.rawValue, detail: $0.detail)
                    }))
            }
            for check in problems where check.verdict != .repaired {
                CommandOutput.printError(path: "asset \(check.assetID)", message: check.detail)
            }
            if !options.json && !options.quiet {
                for check in problems where check.verdict == .repaired { CommandOutput.printLine("repaired asset \(check.assetID): \(check.detail)") }
                CommandOutput.printLine("\(checks.count) stored files: \(count(.intact)) intact, \(count(.repaired)) repaired, "
                                        + "\(count(.damaged)) damaged, \(count(.missing)) missing")
            }
            if count(.damaged) + count(.missing) > 0 { throw ExitCode(1) }
        }
    }
}
