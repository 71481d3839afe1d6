import Foundation

/// A `Range: bytes=…` request header read against a file's size (RFC 9110 section 14).
///
/// Written here rather than taken from Hummingbird's `FileMiddleware`, whose parser reads a suffix range
/// (`bytes=-500`, the last 500 bytes, which players ask for to find an MP4's index) as the first 501 bytes
/// and answers a range that starts past the end with an impossible `Content-Range` instead of 416.
enum ByteRange: Equatable {
    /// No usable range: send the whole file (no header, several ranges, or a header that does not parse,
    /// which RFC 9110 says to ignore).
    case whole
    /// Send these bytes (206).
    case part(ClosedRange<Int>)
    /// The range lies outside the file (416 with `Content-Range: bytes */size`).
    case unsatisfiable

    /// Parsed on the string's UTF-8 bytes: Foundation's trimming and searching went through `NSString`
    /// and cost more than the rest of a media request.
    init(header: String?, size: Int) {
        guard let header else { self = .whole; return }
        let trimmed = Self.trimmed(Substring(header))
        let unit = "bytes=".utf8
        guard trimmed.utf8.count > unit.count,
              zip(trimmed.utf8, unit).allSatisfy({ $0 | 0x20 == $1 }),  // case-insensitive ('=' | 0x20 is '=')
              !trimmed.utf8.contains(UInt8(ascii: ",")) else { self = .whole; return }
        let spec = Self.trimmed(trimmed.dropFirst(unit.count))
        guard let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.utf8.count <= 18 && $0.utf8.allSatisfy { (48...57).contains($0) } }
        if first.isEmpty {
            // The last N bytes.
            guard digits(last), let count = Int(last) else { self = .whole; return }
            guard count > 0, size > 0 else { self = .unsatisfiable; return }
            self = .part(max(0, size - count)...(size - 1))
            return
        }
        guard digits(first), let start = Int(first) else { self = .whole; return }
        var end = size - 1
        if !last.isEmpty {
            guard digits(last), let stated = Int(last) else { self = .whole; return }
            guard stated >= start else { self = .whole; return }
            end = min(stated, size - 1)
        }
        guard start < size else { self = .unsatisfiable; return }
        self = .part(start...end)
    }

    /// Without the optional white space (spaces and tabs) HTTP allows around a value.
    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        var result = text.drop(while: isSpace)
        while let last = result.last, isSpace(last) { result = result.dropLast() }
        return result
    }
}
