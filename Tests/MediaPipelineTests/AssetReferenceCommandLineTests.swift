import Foundation
import MediaTestSupport
import Testing

/// Every command that takes ASSET accepts an id, a SHA-256 prefix or the path
/// of a file, as a new user would try them.
@Suite(.enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg"))
struct AssetReferenceCommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func anAssetIsNamedByIdPrefixOrFile() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("asset-reference")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("lib").path
        let first = try PipelineFixture.makeClip(folder.appendingPathComponent("first.mp4"), seed: 51)
        let second = try PipelineFixture.makeClip(folder.appendingPathComponent("second.mp4"), seed: 52)
        let stranger = try PipelineFixture.makeClip(folder.appendingPathComponent("stranger.mp4"), seed: 53)
        let ingest = try json(TestMedia.run(binary, ["ingest", "--library", library, "--stages", "probe", "--json", first.path, second.path]).stdout)
        let ids = try #require((ingest["items"] as? [[String: Any]])?.compactMap { $0["asset_id"] as? Int })
        #expect(ids.count == 2)
        let sha = try PipelineFixture.sha256(first)

        // The same asset by id, by prefix and by path (absolute and relative to the working directory).
        for reference in ["\(ids[0])", String(sha.prefix(8)), first.path] {
            let shown = try json(TestMedia.run(binary, ["assets", "show", "--library", library, "--json", reference]).stdout)
            #expect((shown["asset"] as? [String: Any])?["asset_id"] as? Int == ids[0], "\(reference)")
        }

        // A file the library rendered is found by its path: compose makes out.mp4, lineage names it so.
        let output = folder.appendingPathComponent("out.mp4").path
        _ = try TestMedia.run(binary, ["compose", "--library", library, first.path, "\(ids[1])", "-o", output])
        let lineage = try json(TestMedia.run(binary, ["lineage", "--library", library, "--json", output]).stdout)
        let edges = try #require(lineage["edges"] as? [[String: Any]])
        #expect(edges.compactMap { $0["parent_asset_id"] as? Int }.sorted() == ids.sorted())

        // A file the library does not hold: "not in the library", exit 1, code not_found.
        let unknown = try TestMedia.run(binary, ["lineage", "--library", library, "--json", stranger.path], allowFailure: true)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: \(stranger.path): not in the library"))
        #expect((try json(unknown.stdout)["error"] as? [String: Any])?["code"] as? String == "not_found")

        // A path that does not exist, and an id the library does not have: one line each, exit 1.
        let missing = try TestMedia.run(binary, ["clips", "list", "--library", library, folder.appendingPathComponent("nope.mp4").path],
                                        allowFailure: true)
        #expect(missing.status == 1 && missing.stderr.contains("no such file") && missing.stderr.split(separator: "\n").count == 1)
        let noID = try TestMedia.run(binary, ["match", "--library", library, "4242"], allowFailure: true)
        #expect(noID.status == 1 && noID.stderr == "error: 4242: no asset with id 4242 in the library\n")
    }

    @Test func controlCharactersInAReferenceAreEscapedInTheErrorLine() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("asset-reference-escape")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("lib").path
        let result = try TestMedia.run(binary, ["assets", "show", "--library", library, "x\u{1B}[2J\ny.mp4"], allowFailure: true)
        #expect(result.status == 1)
        #expect(result.stderr == "error: x\\u{1B}[2J\\ny.mp4: no such file, and not an asset id or a SHA-256 prefix (at least 4 hex digits)\n")
    }
}
