import ArgumentParser
import Foundation
import MediaOps

/// Printing for all commands: one JSON document on stdout with `--json`,
/// readable text otherwise; errors as one line `error: <path>: <reason>` on stderr.
enum CommandOutput {
    /// snake_case keys, stable key order, no escaped slashes.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Prints `value` as the command's JSON document.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let data = try makeEncoder().encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints a line on stdout (human output).
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Reports one failed input on stderr as `error: <path>: <reason>`.
    static func printError(_ error: MediaError) {
        printError(path: error.path, message: error.message)
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
}

/// The JSON form of an error for one input: `{"code": "...", "message": "..."}`.
struct ErrorDocument: Encodable, Sendable {
    var code: String
    var message: String

    init(_ error: MediaError) {
        code = error.code.rawValue
        message = error.message
    }
}

/// A command whose JSON is a single object that may be an error: `{"error": {...}}`.
struct ErrorEnvelope: Encodable {
    var path: String
    var error: ErrorDocument
}

/// Runs a command body that works on one input: on ``MediaError`` prints the
/// error line (and the JSON error document with `--json`) and exits 1.
func runReportingFailure(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as MediaError {
        CommandOutput.printError(error)
        if json { try CommandOutput.printJSON(ErrorEnvelope(path: error.path, error: ErrorDocument(error))) }
        throw ExitCode(1)
    }
}
