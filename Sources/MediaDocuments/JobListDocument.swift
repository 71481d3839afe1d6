import Foundation
import MediaLibrary

/// `jobs list --json` and `GET /api/v1/jobs`: `{"jobs": [...]}`.
public struct JobListDocument: Encodable {
    public var jobs: [JobDocument]

    public init(_ jobs: [MediaJob]) {
        self.jobs = jobs.map(JobDocument.init)
    }
}
