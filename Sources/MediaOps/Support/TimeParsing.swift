/// Reads times given on the command line or in manifests: seconds (`12.5`)
/// or `[HH:]MM:SS[.mmm]`.
public enum TimeParsing {
    /// The latest time a user may name: about 11.5 days, far beyond any media
    /// this program reads, and small enough that every later conversion (to
    /// milliseconds, to a stream's time base, to `Int`) stays in range. A time
    /// past it is refused where it is read, before any arithmetic.
    public static let maximumSeconds: Double = 1_000_000

    /// What ``seconds(_:)`` accepts, for messages.
    public static let acceptedForms = "seconds (12.5) or HH:MM:SS.mmm, from 0 to 1000000 s"

    /// Whether a time already read as a number (from JSON, say) is one a user may name.
    public static func isAcceptable(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds >= 0 && seconds <= maximumSeconds
    }

    /// - Returns: seconds, or nil when `text` is neither form, is negative, or is past ``maximumSeconds``.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 3 else { return nil }
        var total = 0.0
        for (position, part) in parts.enumerated() {
            guard let value = Double(part), value.isFinite, value >= 0 else { return nil }
            // Minutes and seconds fields after the first must be below 60.
            if position > 0 && value >= 60 { return nil }
            if position < parts.count - 1 && value != value.rounded() { return nil }
            guard value <= maximumSeconds else { return nil }
            total = total * 60 + value
        }
        return isAcceptable(total) ? total : nil
    }

    /// Formats seconds as `HH:MM:SS.mmm` (or `MM:SS.mmm` under an hour), for time codes on images.
    public static func timecode(_ seconds: Double, alwaysHours: Bool = false) -> String {
        let millisecondsTotal = Int((min(max(0, seconds), maximumSeconds) * 1000).rounded())
        let hours = millisecondsTotal / 3_600_000
        let minutes = (millisecondsTotal / 60_000) % 60
        let secs = (millisecondsTotal / 1000) % 60
        let millis = millisecondsTotal % 1000
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        func three(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
        let tail = "\(two(minutes)):\(two(secs)).\(three(millis))"
        return hours > 0 || alwaysHours ? "\(two(hours)):\(tail)" : tail
    }
}

import Foundation
