import Foundation
import MediaTestSupport
import Synchronization

/// A library built once for the serve tests, through the command line as a user would: a video with a
/// hard cut, two variants of a branch at the cut, a clip of it rendered (and a clip of that clip, so the
/// middle asset has ancestors and descendants), and a file whose name is HTML.
final class ServeFixture: Sendable {
    let folder: URL
    let library: URL
    let story: Asset
    let left: Asset
    let right: Asset
    let hostile: Asset
    let clip: Asset
    let grandchild: Asset
    let branchID: Int64
    let clipID: Int64

    struct Asset: Sendable {
        var id: Int64
        var sha256: String
        var file: URL
    }

    /// The name of a file ingested to check that pages escape what they show.
    static let hostileName = "<img src=x onerror=alert(1)>.mp4"

    private static let shared = Mutex<Result<ServeFixture, any Error>?>(nil)

    /// The one library of the run (built on first use; tests share it read-only, except ingest tests that add).
    static func library() throws -> ServeFixture {
        try shared.withLock { cached in
            if let cached { return try cached.get() }
            let result = Result { try ServeFixture() }
            cached = result
            return try result.get()
        }
    }

    var libraryArguments: [String] { ["--library", library.path] }

    private init() throws {
        folder = try TestMedia.makeTemporaryDirectory("serve")
        library = folder.appendingPathComponent("library")
        let media = folder.appendingPathComponent("media", isDirectory: true)
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        let storyFile = media.appendingPathComponent("story.mp4")
        // Two different pictures joined: one hard cut at 1.5 s, so the timeline has two bands.
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1.5",
                              "-f", "lavfi", "-i", "smptebars=size=320x240:rate=25:duration=1.5",
                              "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=3",
                              "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                              "-c:a", "aac", "-b:a", "64k", storyFile.path])
        let leftFile = try Self.makeClip(media.appendingPathComponent("left.mp4"), source: "rgbtestsrc", tone: 440)
        let rightFile = try Self.makeClip(media.appendingPathComponent("right.mp4"), source: "smptehdbars", tone: 550)
        let hostileFile = try Self.makeClip(media.appendingPathComponent(Self.hostileName), source: "testsrc", tone: 660)
        let binary = TestMedia.cliExecutable.path
        let arguments = ["--library", library.path]
        let ingested = try TestMedia.run(binary, ["ingest"] + arguments + [storyFile.path, leftFile.path, rightFile.path, hostileFile.path, "--json"])
        let batch = try Self.object(ingested.stdout)
        let items = batch["items"] as? [[String: Any]] ?? []
        func asset(_ file: URL) throws -> Asset {
            guard let item = items.first(where: { ($0["path"] as? String) == file.path }),
                  let id = (item["asset_id"] as? NSNumber)?.int64Value, let sha = item["sha256"] as? String else {
                throw Failure(description: "ingest did not report \(file.lastPathComponent): \(ingested.stdout)")
            }
            return Asset(id: id, sha256: sha, file: file)
        }
        story = try asset(storyFile)
        left = try asset(leftFile)
        right = try asset(rightFile)
        hostile = try asset(hostileFile)
        let clipped = try Self.object(TestMedia.run(binary, ["clips", "create"] + arguments + ["\(story.id)", "--start", "0.5", "--end", "2.5",
                                                                                              "--name", "across the cut", "--render", "--mode", "exact", "--json"]).stdout)
        clipID = (clipped["clip_id"] as? NSNumber)?.int64Value ?? 0
        let clipAsset = (clipped["extracted_asset_id"] as? NSNumber)?.int64Value ?? 0
        clip = Asset(id: clipAsset, sha256: try Self.sha(binary, arguments, clipAsset), file: storyFile)
        let second = try Self.object(TestMedia.run(binary, ["clips", "create"] + arguments + ["\(clipAsset)", "--start", "0.2", "--end", "1.0",
                                                                                             "--render", "--mode", "exact", "--json"]).stdout)
        let grandchildID = (second["extracted_asset_id"] as? NSNumber)?.int64Value ?? 0
        grandchild = Asset(id: grandchildID, sha256: try Self.sha(binary, arguments, grandchildID), file: storyFile)
        let branch = try Self.object(TestMedia.run(binary, ["branch", "create"] + arguments + ["\(story.id)", "--at", "1.5", "--name", "the fork", "--json"]).stdout)
        branchID = (branch["branch_id"] as? NSNumber)?.int64Value ?? 0
        try TestMedia.run(binary, ["branch", "add-variant"] + arguments + ["\(branchID)", "\(left.id)", "--name", "go left", "--tag", "left"])
        try TestMedia.run(binary, ["branch", "add-variant"] + arguments + ["\(branchID)", "\(right.id)", "--name", "go right", "--tag", "right", "--weight", "2"])
    }

    static func makeClip(_ url: URL, source: String, tone: Int) throws -> URL {
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "\(source)=size=320x240:rate=25:duration=1.5",
                              "-f", "lavfi", "-i", "sine=frequency=\(tone):sample_rate=48000:duration=1.5",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
                              "-shortest", url.path])
        return url
    }

    static func sha(_ binary: String, _ arguments: [String], _ id: Int64) throws -> String {
        let shown = try object(TestMedia.run(binary, ["assets", "show"] + arguments + ["\(id)", "--json"]).stdout)
        return (shown["asset"] as? [String: Any])?["sha256"] as? String ?? ""
    }

    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "not a JSON object: \(text.prefix(500))")
        }
        return object
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
