import Foundation

/// How every document is written, by the command line and by any other front
/// end (the HTTP server): snake_case keys (`asset_id`), stable key order, no
/// escaped slashes, times in ISO 8601 UTC.
///
/// The documents are the JSON shapes of SPEC section 4: `Encodable` values
/// built from the library's records and the operations' results.
public enum DocumentEncoding {
    public static func makeEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A time as documents show it: ISO 8601 in UTC.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
