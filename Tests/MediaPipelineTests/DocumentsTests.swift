import Foundation
import MediaCore
import MediaDocuments
import MediaLibrary
import MediaPipeline
import Testing

/// The documents any front end prints: stored JSON stays JSON, errors have one shape.
@Suite struct DocumentsTests {
    func encoded<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try DocumentEncoding.makeEncoder(pretty: false).encode(value), as: UTF8.self)
    }

    @Test func storedJSONIsReemittedAsJSON() throws {
        let stored = #"{"channel_layout":"stereo","tags":[1,2.5,true,null,"x"],"nested":{"sample_rate":48000}}"#
        let value = JSONValue(storedText: stored)
        #expect(try encoded(value) == #"{"channel_layout":"stereo","nested":{"sample_rate":48000},"tags":[1,2.5,true,null,"x"]}"#)
        #expect(JSONValue(storedText: "not json") == .string("not json"))
    }

    @Test func aFailureIsPathAndCodeAndMessage() throws {
        let failure = FailureDocument(PipelineError(subject: "a.mp4", code: .notMedia, message: "not media"))
        #expect(try encoded(failure) == #"{"error":{"code":"not_media","message":"not media"},"path":"a.mp4"}"#)
    }

    /// Times are written by hand for speed; Foundation's formatter is the oracle, to the character,
    /// across fractions that round up into the next second, dates before 1970 and half milliseconds.
    @Test func timestampsAreWhatTheISO8601FormatterWrites() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        var seconds: [Double] = [0, -0.0005, 1_791_907_861.824, 1_791_907_861.9996, -721_435_347.6575, 951_782_400, 4_102_444_799.9994]
        for _ in 0..<20_000 {
            seconds.append(Double.random(in: -2e9...4e9, using: &generator))
            seconds.append(Double(Int.random(in: 1_700_000_000...1_800_000_000, using: &generator)) + Double(Int.random(in: 0...999, using: &generator)) / 1000)
        }
        var mismatches: [String] = []
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            let expected = formatter.string(from: date)
            let written = DocumentEncoding.timestamp(date)
            if written != expected { mismatches.append("\(value): \(written) != \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(DocumentEncoding.timestamp(Date(timeIntervalSince1970: 1_796_458_863.042)) == "2026-12-05T08:21:03.042Z")
    }

    /// The asset list is encoded without key conversion for speed; its keys must be what the conversion makes.
    @Test func theAssetListsOwnKeysAreTheConvertedOnes() throws {
        let asset = Asset(id: 7, sha256: String(repeating: "ab", count: 32), mediaType: "video", mimeType: "video/mp4",
                          localPath: "/l.mp4", originalPath: "/o.mp4", remoteURL: "https://x.example/a.mp4", providerID: "p",
                          providerAssetID: "pa", width: 1, height: 2, durationSec: 3, fps: 4, frameCount: 5, fileSizeBytes: 6,
                          thumbnailPath: "/t.jpg", sourceGenerationID: 8, createdAt: Date(timeIntervalSince1970: 0))
        for hasMore in [true, false] {
            let page = AssetPageDocument([asset], hasMore: hasMore)
            let converted = try DocumentEncoding.makeEncoder(pretty: false).encode(page)
            let direct = try DocumentEncoding.makeEncoder(pretty: false, convertingKeys: false).encode(page)
            #expect(converted == direct, "\(String(decoding: direct, as: UTF8.self))")
        }
    }
}
