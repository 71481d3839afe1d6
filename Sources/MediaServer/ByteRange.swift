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

    init(header: String?, size: Int) {
        guard let header else { self = .whole; return }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else { self = .whole; return }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.count <= 18 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
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
}
