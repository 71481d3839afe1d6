import Foundation
import MediaCore
import MediaDocuments
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
}
