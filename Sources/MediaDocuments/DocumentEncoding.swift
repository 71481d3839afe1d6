import Foundation

/// How every document is written, by the command line and by any other front
/// end (the HTTP server): snake_case keys (`asset_id`), stable key order, no
/// escaped slashes, times in ISO 8601 UTC.
///
/// The documents are the JSON shapes of SPEC section 4: `Encodable` values
/// built from the library's records and the operations' results.
public enum DocumentEncoding {
    /// - Parameter convertingKeys: false for documents whose coding keys are already snake_case all the
    ///   way down (``AssetPageDocument``): converting costs as much as encoding, key by key.
    public static func makeEncoder(pretty: Bool = true, convertingKeys: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = convertingKeys ? .convertToSnakeCase : .useDefaultKeys
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A time as documents show it: ISO 8601 in UTC with milliseconds (`2026-12-05T08:21:03.042Z`).
    ///
    /// Written by hand rather than by `ISO8601DateFormatter`: a formatter builds ICU state when it is made
    /// and when it first formats, so one per value made time formatting most of the server's cost for the
    /// asset list (50 assets, several times each). The output is the formatter's to the character
    /// (milliseconds rounded half up, as ICU does), which the tests check against it.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down)
        guard milliseconds.isFinite, abs(milliseconds) < 1e17 else { return formatterTimestamp(date) }
        let total = Int64(milliseconds)
        let wholeSeconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        var seconds = time_t(wholeSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        guard (0...9999).contains(Int(parts.tm_year) + 1900) else { return formatterTimestamp(date) }
        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(48 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); text.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); text.append(UInt8(ascii: "."))
        digits(Int(total - wholeSeconds * 1000), 3); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Foundation's formatter, for the years four digits cannot write.
    static func formatterTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
