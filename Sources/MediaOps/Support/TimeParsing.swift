/// Reads times given on the command line or in manifests: seconds (`12.5`)
/// or `[HH:]MM:SS[.mmm]`.
public enum TimeParsing {
    /// - Returns: seconds, or nil when `text` is neither form or is negative.
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
            total = total * 60 + value
        }
        return total
    }

    /// Formats seconds as `HH:MM:SS.mmm` (or `MM:SS.mmm` under an hour), for time codes on images.
    public static func timecode(_ seconds: Double, alwaysHours: Bool = false) -> String {
        let millisecondsTotal = Int((max(0, seconds) * 1000).rounded())
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
