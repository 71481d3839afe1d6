import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// Printing for all commands: one JSON document on stdout with `--json`,
/// readable text otherwise; errors as one line `error: <subject>: <reason>` on stderr.
enum CommandOutput {
    /// Prints `value` as the command's JSON document.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let data = try DocumentEncoding.makeEncoder().encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints a line on stdout (human output).
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Reports one failed input on stderr as `error: <subject>: <reason>`
    /// (one line, control characters escaped). Every error line of every
    /// command is printed here.
    static func printError(_ error: ErrorReport) {
        FileHandle.standardError.write(Data((error.line + "\n").utf8))
    }

    static func printError(path: String, message: String) {
        FileHandle.standardError.write(Data((DisplayText.line("error", subject: path, message: message) + "\n").utf8))
    }

    /// Prints a warning about one input on stderr as `warning: <path>: <what>`.
    static func printWarning(path: String, message: String) {
        FileHandle.standardError.write(Data((DisplayText.line("warning", subject: path, message: message) + "\n").utf8))
    }

    /// Prints a progress note on stderr (only call when progress is shown).
    static func printProgress(_ text: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    /// Reports a command that failed as a whole: the error line, and with
    /// `--json` the document `{"path", "error": {"code", "message"}}`.
    static func report(_ error: any Error, subject: String, json: Bool) {
        let report = ErrorReport(error, subject: subject)
        printError(report)
        if json { try? printJSON(FailureDocument(report)) }
    }

    /// Runs a command's body: any error it throws (other than the
    /// command-line parser's own, and exit codes) becomes one error line, the
    /// JSON error document with `--json`, and exit status 1.
    /// - Parameter subject: what the error is about when the error does not say (the command's input).
    static func run(json: Bool, subject: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            report(error, subject: subject, json: json)
            throw ExitCode(1)
        }
    }
}
