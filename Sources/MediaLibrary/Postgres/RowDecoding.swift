import Foundation

/// Decodes the records from `row_to_json` text with their own `CodingKeys`.
///
/// PostgreSQL writes `TIMESTAMPTZ` in JSON as ISO 8601 with up to six
/// fractional digits (`2026-12-02T06:30:47.123456+00:00`); see ``timestamp(_:)``.
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

    /// A `TIMESTAMPTZ` as PostgreSQL writes it in JSON: `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH[:MM])`.
    ///
    /// Parsed by hand: every row carries several timestamps, and a formatter per value (ICU underneath)
    /// was a quarter of a worker's database overhead.
    static func timestamp(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        // A space instead of the `T` (the text output format) reads the same.
        if utf8.count > 10 && utf8[10] == UInt8(ascii: " ") { utf8[10] = UInt8(ascii: "T") }
        var position = 0
        func number(_ digits: Int) -> Int? {
            guard position + digits <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[position..<position + digits] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            position += digits
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard position < utf8.count, utf8[position] == character.asciiValue else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("T"),
              let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if expect(".") {
            var scale = 0.1
            while position < utf8.count, utf8[position] >= 48 && utf8[position] <= 57 {
                fraction += Double(utf8[position] - 48) * scale
                scale /= 10
                position += 1
            }
        }
        var offset = 0
        if expect("Z") {
            offset = 0
        } else if position < utf8.count, utf8[position] == UInt8(ascii: "+") || utf8[position] == UInt8(ascii: "-") {
            let sign = utf8[position] == UInt8(ascii: "-") ? -1 : 1
            position += 1
            guard let hours = number(2) else { return nil }
            var minutes = 0
            if position < utf8.count {
                _ = expect(":")
                guard let parsed = number(2) else { return nil }
                minutes = parsed
            }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard position == utf8.count else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
