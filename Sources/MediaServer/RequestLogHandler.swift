import Logging

/// The handler of the logger Hummingbird gives each request: it keeps the metadata set on it and
/// hands it to the process's own handler only when a line is logged.
///
/// Hummingbird tags every request's logger with a request id (`hb.request.id`). swift-log's
/// `StreamLogHandler` formats its whole metadata into a string each time a key is set, so every
/// request paid for formatting a line that, at the usual levels, is never written: about a tenth of
/// the CPU of a `/media` answer behind nginx (`--accel-redirect`), where the answer itself is small.
struct RequestLogHandler: LogHandler {
    private var wrapped: any LogHandler
    var metadata: Logger.Metadata = [:]

    init(wrapping wrapped: any LogHandler) {
        self.wrapped = wrapped
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        let merged = event.metadata.map { metadata.merging($0) { _, given in given } } ?? metadata
        event.metadata = merged.isEmpty ? nil : merged
        wrapped.log(event: event)
    }
}
