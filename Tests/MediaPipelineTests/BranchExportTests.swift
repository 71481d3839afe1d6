import Foundation
import MediaTestSupport
import Testing

/// `branch export`: the graph a game loads once. A three-level story is built with the commands, exported,
/// and played through from the file alone: every step's asset, time and file come from the export.
@Suite struct BranchExportTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsFFmpeg) func aThreeLevelStoryPlaysFromTheExportAlone() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("branch-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let libraryFolder = folder.appendingPathComponent("library")
        let library = ["--library", libraryFolder.path]
        // Root, two first-level continuations, two endings of the left one.
        var ids: [String: Int] = [:]
        for (name, seed) in [("root", 81), ("left", 82), ("right", 83), ("win", 84), ("lose", 85)] {
            let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("\(name).mp4"), seed: seed, seconds: 2)
            let ingest = try json(TestMedia.run(binary, ["ingest"] + library + [clip.path, "--stages", "probe", "--json"]).stdout)
            ids[name] = try #require((ingest["items"] as? [[String: Any]])?.first?["asset_id"] as? Int)
        }
        func id(_ name: String) -> String { "\(ids[name] ?? 0)" }
        func branchID(_ output: String) throws -> String { "\(try #require(try json(output)["branch_id"] as? Int))" }
        let first = try branchID(TestMedia.run(binary, ["branch", "create"] + library
            + [id("root"), "--at", "1", "--name", "the door", "--tag", "door", "--metadata", #"{"scene": "hall"}"#, "--json"]).stdout)
        _ = try TestMedia.run(binary, ["branch", "add-variant"] + library + [first, id("left"), "--name", "go left", "--tag", "left", "--weight", "2"])
        _ = try TestMedia.run(binary, ["branch", "add-variant"] + library
            + [first, id("right"), "--name", "go right", "--tag", "right", "--conditions", #"{"has_key": true}"#])
        let second = try branchID(TestMedia.run(binary, ["branch", "create"] + library + [id("left"), "--at", "0.5", "--name", "the duel", "--json"]).stdout)
        _ = try TestMedia.run(binary, ["branch", "add-variant"] + library + [second, id("win"), "--name", "win", "--tag", "win"])
        _ = try TestMedia.run(binary, ["branch", "add-variant"] + library + [second, id("lose"), "--name", "lose", "--tag", "lose"])
        // A variant leading back to the start (a game's "try again"): the graph still ends, the root once.
        _ = try TestMedia.run(binary, ["branch", "add-variant"] + library + [second, id("root"), "--name", "again", "--tag", "again"])

        let exported = folder.appendingPathComponent("story.json")
        _ = try TestMedia.run(binary, ["branch", "export"] + library + [id("root"), "-o", exported.path, "--quiet"])
        let graph = try json(String(decoding: try Data(contentsOf: exported), as: UTF8.self))
        #expect(graph["root_asset_id"] as? Int == ids["root"])
        let assets = try #require(graph["assets"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: assets.compactMap { node in (node["asset_id"] as? Int).map { ($0, node) } })
        #expect(assets.count == 5 && byID.count == 5, "every reachable asset once")

        // The root's branch point, as created.
        let rootBranches = try #require(byID[ids["root"] ?? 0]?["branches"] as? [[String: Any]])
        #expect(rootBranches.count == 1)
        let door = try #require(rootBranches.first)
        #expect(door["time"] as? Double == 1 && door["frame"] as? Int == 25 && door["tag"] as? String == "door")
        #expect((door["metadata"] as? [String: Any])?["scene"] as? String == "hall")
        let doorVariants = try #require(door["variants"] as? [[String: Any]])
        #expect(doorVariants.compactMap { $0["tag"] as? String } == ["left", "right"])
        #expect(doorVariants.first?["weight"] as? Double == 2)
        #expect((doorVariants.last?["conditions"] as? [String: Any])?["has_key"] as? Bool == true)

        // Play "left", then "win", from the export alone: each step's asset, its stretch and its file.
        var playing = try #require(graph["root_asset_id"] as? Int)
        var played: [(asset: Int, from: Double, to: Double)] = []
        for choice in ["left", "win"] {
            let node = try #require(byID[playing])
            let branch = try #require((node["branches"] as? [[String: Any]])?.first)
            let time = try #require(branch["time"] as? Double)
            played.append((playing, 0, time))
            let variant = try #require((branch["variants"] as? [[String: Any]])?.first { $0["tag"] as? String == choice })
            playing = try #require(variant["asset_id"] as? Int)
        }
        let ending = try #require(byID[playing])
        #expect((ending["branches"] as? [[String: Any]])?.isEmpty == true)
        played.append((playing, 0, try #require(ending["duration_sec"] as? Double)))
        #expect(played.map(\.asset) == [ids["root"], ids["left"], ids["win"]].compactMap { $0 })
        #expect(played.map(\.to) == [1, 0.5, 2])
        // Every file the game would open is where the export says, relative to the file store.
        for step in played {
            let file = try #require(byID[step.asset]?["file"] as? String)
            #expect(!file.hasPrefix("/"))
            #expect(FileManager.default.fileExists(atPath: libraryFolder.appendingPathComponent(file).path), "\(file)")
        }

        // On stdout without -o; an unknown asset is one error line.
        let printed = try json(TestMedia.run(binary, ["branch", "export"] + library + [id("left")]).stdout)
        #expect(printed["root_asset_id"] as? Int == ids["left"])
        let missing = try TestMedia.run(binary, ["branch", "export"] + library + ["999"], allowFailure: true)
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: 999: "))
    }
}
