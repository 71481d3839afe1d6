import Foundation
import Testing
@testable import MediaLibrary

/// The hand parser of PostgreSQL's JSON timestamps, against Foundation's ISO 8601 parser as the oracle.
@Suite struct RowDecodingTests {
    static func oracle(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    @Test(arguments: [
        "2026-12-02T06:30:47+00:00", "2026-12-02T06:30:47.123+00:00", "2024-02-29T23:59:59.5-08:00",
        "1999-12-31T00:00:00Z", "2026-06-15T12:00:00.25+05:30", "1970-01-01T00:00:00+00:00",
    ])
    func readsWhatFoundationReads(_ text: String) throws {
        let parsed = try #require(RowDecoding.timestamp(text))
        let expected = try #require(Self.oracle(text))
        #expect(abs(parsed.timeIntervalSince(expected)) < 1e-6)
    }

    @Test func keepsMicroseconds() throws {
        let parsed = try #require(RowDecoding.timestamp("2026-12-02T06:30:47.123456+00:00"))
        let whole = try #require(RowDecoding.timestamp("2026-12-02T06:30:47+00:00"))
        #expect(abs(parsed.timeIntervalSince(whole) - 0.123456) < 1e-6)
        // Offsets without minutes, as PostgreSQL writes whole-hour zones.
        let short = try #require(RowDecoding.timestamp("2026-12-02T08:30:47+02"))
        #expect(short == whole)
    }

    @Test(arguments: ["", "2026-12-02", "2026-13-02T06:30:47+00:00", "2026-12-02T06:30:47", "2026-12-02T06:30:47+00:00x",
                      "20x6-12-02T06:30:47Z", "2026-12-02T25:00:00Z"])
    func refusesWhatIsNoTimestamp(_ text: String) {
        #expect(RowDecoding.timestamp(text) == nil)
    }
}
