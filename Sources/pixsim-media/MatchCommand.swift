import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media match ASSET [--max-distance D]`: the clips that continue this one.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Assets whose first frame continues this asset's last frame (perceptual hash distance), best first.",
        discussion: "Needs the segments stage to have run on the assets (it stores the first- and last-frame hashes)."
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "Largest Hamming distance (of 64 bits) to report.")
    var maxDistance: Int = 10

    @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.")
    var asset: String

    func validate() throws {
        if !(0...64).contains(maxDistance) { throw ValidationError("--max-distance must be between 0 and 64") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: asset) {
            let store = try LibraryCommandSupport.openStore(options)
            let found = try LibraryCommandSupport.resolve(asset, in: store)
            let candidates = try store.continuations(of: found.assetID, maxDistance: maxDistance)
            if options.json {
                try CommandOutput.printJSON(MatchDocument(assetId: found.assetID, candidates: candidates.map {
                    MatchDocument.Candidate(assetId: $0.assetID, distance: $0.distance)
                }))
            } else if candidates.isEmpty {
                if !options.quiet { CommandOutput.printLine("no asset continues #\(found.assetID) within distance \(maxDistance)") }
            } else {
                for candidate in candidates {
                    let line = (try? store.asset(id: candidate.assetID)).flatMap { $0 }.map(AssetDocument.line) ?? "#\(candidate.assetID)"
                    CommandOutput.printLine("distance \(candidate.distance): \(line)")
                }
            }
        }
    }
}
