import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaOps
import MediaPipeline

/// What the library commands share: opening the library, and the JSON shapes of SPEC section 4.
enum LibraryCommandSupport {
    /// Opens the library named by `--library` (a folder or a `postgres://` URL, with `--files`).
    static func openStore(_ options: GlobalOptions) throws -> any LibraryStore {
        try LibraryStores.open(options.libraryLocation())
    }

    /// The pipeline as the command line runs it.
    static func makeRunner(_ store: any LibraryStore, decoderThreads: Int = 0) -> PipelineRunner {
        PipelineRunner(store: store, operations: .standard, downloader: Downloader(), decoderThreads: decoderThreads)
    }

    /// `--stages` or this build's default stages.
    static func stages(_ text: String?) throws -> [PipelineStage] {
        guard let text else { return PipelineOperations.standard.defaultStages }
        do { return try PipelineStage.parseList(text) } catch {
            throw ValidationError(error.message)
        }
    }

    /// An asset named on the command line: id, SHA-256 prefix or the path of a file (``AssetReference``).
    static func resolve(_ reference: String, in store: any LibraryStore) throws -> Asset {
        try AssetReference.resolve(reference, in: store)
    }

    /// Seconds from the command line (`12.5` or `HH:MM:SS.mmm`).
    static func seconds(_ text: String, option: String) throws -> Double {
        guard let value = TimeParsing.seconds(text) else {
            throw ValidationError("\(option): '\(text)' is not a time: \(TimeParsing.acceptedForms)")
        }
        return value
    }

    /// Checks that a `--conditions`/metadata argument is JSON, returning it compacted.
    static func jsonArgument(_ text: String?, option: String) throws -> String? {
        guard let text else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else {
            throw ValidationError("\(option) must be JSON")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The readable line for one finished item, and its error line if it failed.
enum OutcomeText {
    static func print(_ outcome: IngestOutcome, quiet: Bool) {
        for warning in outcome.warnings { CommandOutput.printWarning(path: outcome.path, message: warning) }
        if let error = outcome.error, outcome.status == .failed {
            CommandOutput.printError(ErrorReport(subject: outcome.path, code: error.code, message: error.message))
            return
        }
        guard !quiet else { return }
        let id = outcome.assetID.map { "asset \($0)" } ?? "no asset"
        let ran = outcome.stages.filter { $0.status != .skipped }.map(\.stage.name)
        let detail = ran.isEmpty ? "already done" : ran.joined(separator: ", ")
        CommandOutput.printLine("\(outcome.status.rawValue): \(outcome.path) -> \(id) (\(detail))")
    }
}
