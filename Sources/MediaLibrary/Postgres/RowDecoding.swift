import Foundation

/// Decodes the records from `row_to_json` text with their own `CodingKeys`.
///
/// PostgreSQL writes `TIMESTAMPTZ` in JSON as ISO 8601 with up to six
/// fractional digits (`2026-12-02T06:30:47.123456+00:00`), which Foundation's
/// ISO 8601 parser does not take whole, so the fraction is parsed apart.
enum RowDecoding {
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = timestamp(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        return decoder
    }

    static func timestamp(_ text: String) -> Date? {
        var whole = text
        var fraction = 0.0
        if let dot = whole.firstIndex(of: ".") {
            let end = whole[dot...].firstIndex { $0 == "+" || $0 == "-" || $0 == "Z" } ?? whole.endIndex
            fraction = Double("0" + whole[dot..<end]) ?? 0
            whole.removeSubrange(dot..<end)
        }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: whole).map { $0.addingTimeInterval(fraction) }
    }
}
