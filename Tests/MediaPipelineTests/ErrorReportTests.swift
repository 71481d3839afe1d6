import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline
import Testing

/// One error model for every layer: codes from one enum, one line per error.
@Suite struct ErrorReportTests {
    struct Unexpected: Error {}

    @Test func codedErrorsKeepTheirSubjectAndCode() {
        let media = ErrorReport(MediaError(path: "a.mp4", code: .truncated, message: "short"), subject: "ignored")
        #expect(media == ErrorReport(subject: "a.mp4", code: .truncated, message: "short"))
        let library = ErrorReport(LibraryError(subject: "12", code: .notFound, message: "no asset"), subject: "ignored")
        #expect(library.code == .notFound && library.subject == "12")
        let pipeline = PipelineError(subject: "x", MediaError(path: "b.mp4", code: .notMedia, message: "nope"))
        #expect(pipeline.code == .notMedia && pipeline.subject == "b.mp4")
    }

    @Test func anErrorOfNoKnownKindStillNamesItsSubject() {
        let report = ErrorReport(Unexpected(), subject: "input.mp4")
        #expect(report.code == .internal)
        #expect(report.line.hasPrefix("error: input.mp4: "))
        // The pipeline files such an error under the stage that threw it.
        #expect(PipelineError(subject: "input.mp4", Unexpected()).code == .stageFailed)
    }

    @Test func theLineIsOneLineWithControlCharactersEscaped() {
        let report = ErrorReport(subject: "evil\u{1B}[2Jname\n.mp4", code: .notMedia, message: "bad\r\ndata\u{7}")
        #expect(report.line == #"error: evil\u{1B}[2Jname\n.mp4: bad\r\ndata\u{7}"#)
        #expect(!report.line.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test func codesAreTheReadmeList() throws {
        // The README's list of codes is the enum: a code added to one must be added to the other.
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "Error codes (")).upperBound
        let listed = readme[section...].components(separatedBy: "\n\n").first ?? ""
        for code in ErrorCode.allCases {
            #expect(listed.contains("`\(code.rawValue)`"), "\(code.rawValue) missing from the README's list")
        }
    }
}
