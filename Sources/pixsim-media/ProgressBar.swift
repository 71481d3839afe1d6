import Foundation
import MediaPipeline
import Synchronization

/// A one-line progress display on stderr (done/total, rate, ETA, current
/// file), redrawn in place; used only when stderr is a terminal.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let lastDraw = Mutex(Date.distantPast)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ progress: BatchProgress) {
        guard enabled else { return }
        let now = Date()
        let shouldDraw = lastDraw.withLock { last in
            guard progress.done == progress.total || now.timeIntervalSince(last) > 0.1 else { return false }
            last = now
            return true
        }
        guard shouldDraw else { return }
        let width = 24
        let fraction = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = progress.elapsed > 0 ? Double(progress.done) / progress.elapsed : 0
        let eta = rate > 0 ? Double(progress.total - progress.done) / rate : 0
        let current = progress.current.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        var line = "[\(bar)] \(progress.done)/\(progress.total)"
        line += String(format: "  %.1f/s  ETA %@", rate, Self.duration(eta))
        if progress.failed > 0 { line += "  \(progress.failed) failed" }
        if !current.isEmpty { line += "  \(current.prefix(40))" }
        CommandOutput.printProgress(line)
    }

    /// Clears the line before the summary is printed.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }
}
