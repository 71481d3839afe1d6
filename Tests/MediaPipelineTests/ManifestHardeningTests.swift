import Foundation
import MediaLibrary
import MediaPipeline
import MediaTestSupport
import Testing

/// Issue 15 items 4, 11, 12 and 13 and issue 14 finding 9: manifests decoded
/// with `Decodable` types, every value range-checked, every field kept or
/// warned about, cycles refused, and the files they name confined.
@Suite struct ManifestHardeningTests {
    func parse(_ json: String, base: URL? = nil) throws -> GenerationManifest {
        try GenerationManifest.parse(Data(json.utf8), subject: "gen.json", baseFolder: base)
    }

    func message(_ json: String) -> String? {
        do { _ = try parse(json); return nil } catch let error as PipelineError { return error.message } catch { return "\(error)" }
    }

    static let head = #""provider_id": "p", "operation_type": "upload""#

    @Test(arguments: [
        (#"{"provider_id": "p", "#, "not valid JSON"),
        ("[1, 2]", "not a JSON object but an array"),
        (#"{"provider_id": 7, "operation_type": "upload"}"#, #""provider_id" must be a string, not 7"#),
        (#"{\#(head), "parents": [{"asset_id": 1e30}]}"#, #"parent 0: "asset_id" must be a whole number"#),
        (#"{\#(head), "parents": [{"asset_id": 0}]}"#, #"parent 0: "asset_id" must be a whole number from 1"#),
        (#"{\#(head), "parents": [{"asset_id": 1, "start_time": -1}]}"#, #"parent 0: "start_time" must be a time"#),
        (#"{\#(head), "parents": [{"asset_id": 1, "end_time": 1e308}]}"#, #"parent 0: "end_time" must be a time"#),
        (#"{\#(head), "parents": [{"asset_id": 1, "start_time": 5, "end_time": 2}]}"#, "must be after"),
        (#"{\#(head), "parents": [{"asset_id": 1, "sequence_order": 18446744073709551617}]}"#, #""sequence_order" must be a whole number"#),
        (#"{\#(head), "parents": [{"asset_id": 1, "sequence_order": 4294967296}]}"#, #""sequence_order" must be a whole number from 0 to 1000000"#),
        (#"{\#(head), "parents": [{"asset_id": 1, "frame": -3}]}"#, #""frame" must be a whole number"#),
        (#"{\#(head), "parents": "none"}"#, #""parents" must be an array of objects, not a string"#),
        (#"{\#(head), "result": {"path": "a.mp4"}, "parents": [{"path": "a.mp4"}]}"#, "parent 0 is the result itself"),
        (#"{"provider_id": "p", "operation_type": "tele\nport"}"#, #"unknown operation_type 'tele\nport'"#),
    ])
    func badValuesAreRefusedNamingTheKey(json: String, expected: String) {
        let text = message(json)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    @Test func everyParentFieldIsKeptAndUnknownKeysAreWarnedAbout() throws {
        let manifest = try parse("""
            {\(Self.head), "provider_job_id": 123456789012,
             "parents": [{"asset_id": 42, "role": "keyframe", "frame": 48, "sequence_order": 1, "colour": "red",
                          "transformation": {"action": "zoom_in", "frame_position": 48}}],
             "result": {"url": "https://cdn.example/v.mp4", "checksum": "abc"}}
            """)
        #expect(manifest.providerJobID == "123456789012")
        let parent = try #require(manifest.parents.first)
        #expect(parent.reference == .assetID(42) && parent.frame == 48 && parent.sequenceOrder == 1)
        #expect(parent.transformation == #"{"action":"zoom_in","frame_position":48}"#)
        #expect(manifest.warnings.contains { $0.contains("parent 0") && $0.contains("\"colour\"") })
        #expect(manifest.warnings.contains { $0.contains("result") && $0.contains("\"checksum\"") })
    }

    @Test func pathsAreConfinedToTheManifestFolderOrAnAllowedRoot() throws {
        let folder = try TestMedia.makeTemporaryDirectory("confine")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox")
        let outside = folder.appendingPathComponent("outside")
        for dir in [inbox, outside, inbox.appendingPathComponent("sub")] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        try Data([1]).write(to: outside.appendingPathComponent("o.mp4"))
        try Data([1]).write(to: inbox.appendingPathComponent("sub/in.mp4"))
        try FileManager.default.createSymbolicLink(atPath: inbox.appendingPathComponent("sneaky.mp4").path,
                                                   withDestinationPath: outside.appendingPathComponent("o.mp4").path)
        let manifest = try parse("{\(Self.head)}", base: inbox)
        let strict = ManifestConfinement()
        func refused(_ text: String, _ confinement: ManifestConfinement) -> String? {
            do { _ = try confinement.source(text, in: manifest, label: "result", subject: "gen.json"); return nil } catch { return error.message }
        }
        #expect(refused("sub/in.mp4", strict) == nil)
        #expect(refused("../outside/o.mp4", strict)?.contains("outside the manifest's folder") == true)
        #expect(refused(outside.appendingPathComponent("o.mp4").path, strict)?.contains("outside") == true)
        #expect(refused("sneaky.mp4", strict)?.contains("outside") == true)
        #expect(refused("file://" + inbox.appendingPathComponent("sub/in.mp4").path, strict)?.contains("--allow-file-urls") == true)
        #expect(refused("file:///etc/passwd", ManifestConfinement(allowsFileURLs: true))?.contains("outside") == true)
        let allowed = ManifestConfinement(allowedRoots: [outside], allowsFileURLs: true)
        #expect(refused("../outside/o.mp4", allowed) == nil)
        #expect(refused("file://" + outside.appendingPathComponent("o.mp4").path, allowed) == nil)
        #expect(refused("https://cdn.example/a.mp4", strict) == nil)
        #expect(refused("data:video/mp4;base64,AAAA", strict)?.contains("unsupported") == true)
    }

    @Test func redirectsOnlyToHTTPAndNeverFromPublicToInternal() {
        let publicOrigin = URL(string: "http://93.184.216.34/v.mp4")!
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "http://127.0.0.1:8080/x")!))
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "http://10.1.2.3/x")!))
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "http://[::1]/x")!))
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "http://192.168.0.1/x")!))
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "file:///etc/passwd")!))
        #expect(!RedirectPolicy.allows(from: publicOrigin, to: URL(string: "ftp://93.184.216.35/x")!))
        #expect(RedirectPolicy.allows(from: publicOrigin, to: URL(string: "https://93.184.216.35/x")!))
        #expect(RedirectPolicy.allows(from: URL(string: "http://127.0.0.1:1/a")!, to: URL(string: "http://127.0.0.1:2/b")!))
    }

    @Test func selfParentsAndCyclesAreRefusedByTheLibrary() throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        func asset(_ n: Int) throws -> Int64 {
            try store.insertOrFetchAsset(Asset(sha256: String(repeating: "\(n)", count: 64), mediaType: "video", fileSizeBytes: 1)).asset.assetID
        }
        let a = try asset(1), b = try asset(2)
        _ = try store.recordGeneration(Generation(providerID: "p", providerJobID: "1", operationType: "video_extend", prompt: nil, params: nil, resultAssetID: b, submittedAt: nil, completedAt: nil),
                                       parents: [GenerationParent(assetID: a, role: "source_video", sequenceOrder: 0,
                                                                  transformation: #"{"action":"zoom_in"}"#)])
        #expect(try store.parentEdges(of: b).first?.transformation == #"{"action":"zoom_in"}"#)
        let cycle = #expect(throws: LibraryError.self) {
            try store.recordGeneration(Generation(providerID: "p", providerJobID: "2", operationType: "video_extend", prompt: nil, params: nil, resultAssetID: a, submittedAt: nil, completedAt: nil),
                                       parents: [GenerationParent(assetID: b, role: "source_video", sequenceOrder: 0)])
        }
        #expect(cycle?.message.contains("cycle") == true)
        let selfParent = #expect(throws: LibraryError.self) {
            try store.recordGeneration(Generation(providerID: "p", providerJobID: "3", operationType: "video_extend", prompt: nil, params: nil, resultAssetID: a, submittedAt: nil, completedAt: nil),
                                       parents: [GenerationParent(assetID: a, role: "source_video", sequenceOrder: 0)])
        }
        #expect(selfParent?.message.contains("result itself") == true)
        #expect(try store.parentEdges(of: a).isEmpty)
    }
}
