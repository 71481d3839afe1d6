import Foundation
import Logging
import MediaDocuments
import Synchronization

/// Where the access log's lines go: stderr, written in blocks rather than a system call per request.
///
/// swift-log's `StreamLogHandler` flushes stderr after every line; under load that write, and the lock
/// around it, cost more than answering a cached asset list (4,000 requests/s logged against 7,100 not). Like
/// nginx's `access_log … buffer= flush=`, lines wait here until 32 KiB have gathered or ``flush()`` runs
/// (the server calls it every quarter second and when it stops), so a line is at most that late.
final class AccessLogSink: Sendable {
    static let blockSize = 32 * 1024
    private let fileDescriptor: Int32
    private let pending = Mutex<[UInt8]>([])

    init(fileDescriptor: Int32 = STDERR_FILENO) {
        self.fileDescriptor = fileDescriptor
    }

    /// Adds a line (its newline included); writes the block once it is full.
    func append(_ line: String) {
        let full: [UInt8]? = pending.withLock { pending in
            pending.append(contentsOf: line.utf8)
            guard pending.count >= Self.blockSize else { return nil }
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        if let full { write(full) }
    }

    /// Writes whatever is waiting.
    func flush() {
        let waiting: [UInt8] = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        write(waiting)
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // stderr gone: the log is lost, the server goes on
                offset += written
            }
        }
    }
}

/// A swift-log handler writing to an ``AccessLogSink``, in the shape of swift-log's own stream handler
/// (`TIME LEVEL LABEL: key=value … MESSAGE`), so the access log reads like every other log line.
struct AccessLogHandler: LogHandler {
    let label: String
    let sink: AccessLogSink
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = DocumentEncoding.timestamp(Date())
        sink.append("\(time) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) \(event.message)\n")
    }
}
