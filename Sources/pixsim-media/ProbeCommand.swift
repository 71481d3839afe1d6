import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media probe FILE... [--sha256]`: enrichment of each file.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Describe media files: container, codecs, duration, size, frame rate, frame count, rotation, audio.",
        discussion: "With --json, prints one array with an element per input, in input order; a failed input's element is {\"path\", \"error\"}."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .customLong("sha256"), help: "Also compute each file's SHA-256.")
    var computeSHA256 = false

    @Argument(help: "Media files to probe.")
    var files: [String]

    func run() async throws {
        options.configureLogging()
        var documents: [ProbeDocument] = []
        var failed = false
        for file in files {
            do {
                let result = try MediaProbe.probe(file, computeSHA256: computeSHA256)
                documents.append(.success(result))
                if !options.json && !options.quiet { CommandOutput.printLine(ProbeText.summary(result)) }
            } catch {
                failed = true
                let report = ErrorReport(error, subject: file)
                CommandOutput.printError(report)
                documents.append(.failure(FailureDocument(report)))
            }
        }
        if options.json { try CommandOutput.printJSON(documents) }
        if failed { throw ExitCode(1) }
    }
}
