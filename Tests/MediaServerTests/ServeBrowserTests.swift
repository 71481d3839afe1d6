import Foundation
import MediaTestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Headless Chromium with chromedriver and selenium. Missing on a developer's machine, the test is skipped
    /// with the reason; in CI (`CI=true`) it runs and fails instead, so CI never passes without the browser.
    static var needsBrowser: Self {
        .enabled(if: ServeTools.inCI || ServeTools.hasBrowser,
                 "needs chromium, chromedriver and python3's selenium (scripts/install-deps.sh --test installs them)")
    }

    /// schemathesis on PATH (same rule as the browser: required in CI).
    static var needsSchemathesis: Self {
        .enabled(if: ServeTools.inCI || ServeTools.schemathesis != nil, "needs schemathesis (pip install schemathesis)")
    }
}

enum ServeTools {
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static var hasBrowser: Bool {
        let exists = { (path: String) in FileManager.default.isExecutableFile(atPath: path) }
        guard exists("/usr/bin/chromium") || exists("/usr/bin/chromium-browser"), exists("/usr/bin/chromedriver") else { return false }
        return (try? TestMedia.run("python3", ["-c", "import selenium"], allowFailure: true).status) == 0
    }

    static var schemathesis: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/schemathesis") {
            return "\(folder)/schemathesis"
        }
        return nil
    }

    /// Where screenshots are kept: `$PIXSIM_SCREENSHOTS`, else `.build/screenshots` in the package.
    static var screenshotFolder: URL {
        if let given = ProcessInfo.processInfo.environment["PIXSIM_SCREENSHOTS"], !given.isEmpty { return URL(fileURLWithPath: given) }
        return TestMedia.packageRoot.appendingPathComponent(".build/screenshots", isDirectory: true)
    }
}

@Suite(.serialized, .needsFFmpeg)
struct ServeBrowserTests {
    @Test(.needsBrowser) func everyPageInHeadlessChromium() throws {
        let fixture = try ServeFixture.library()
        let server = try ServeProcess(library: fixture.library)
        defer { server.stop() }
        let script = TestMedia.packageRoot.appendingPathComponent("Tests/Browser/pages_test.py").path
        // Chromium's own temporary folders (its profile's singleton socket) go in a folder of the test's, which
        // goes with it: in /tmp each run left one behind. A short path: a socket's path has at most 107 bytes.
        var template = Array("/tmp/pixsim-chromium-XXXXXX".utf8CString)
        try #require(mkdtemp(&template) != nil, "mkdtemp: \(errno)")
        let scratch = URL(fileURLWithPath: String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try TestMedia.run("/usr/bin/env", ["TMPDIR=\(scratch.path)", "python3", script, server.baseURL, ServeTools.screenshotFolder.path,
                                                   "\(fixture.story.id)", "\(fixture.clip.id)", "\(fixture.grandchild.id)",
                                                   "\(fixture.branchID)"], allowFailure: true)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(3000))")
        for name in ["index", "asset", "asset-phone", "lineage", "branch", "branch-playing"] {
            #expect(FileManager.default.fileExists(atPath: ServeTools.screenshotFolder.appendingPathComponent("\(name).png").path), "\(name).png")
        }
    }

    /// schemathesis against the served OpenAPI document: no 5xx, every answer as the document says.
    /// `POST /api/v1/ingest` is left out here: its positive cases would make the server fetch whatever URLs
    /// schemathesis invents; the ingest tests cover it.
    @Test(.needsSchemathesis) func theAPIConformsToItsOpenAPIDocument() throws {
        let fixture = try ServeFixture.library()
        let server = try ServeProcess(library: fixture.library)
        defer { server.stop() }
        let tool = try #require(ServeTools.schemathesis, "schemathesis is not installed")
        // Run from a folder of its own: schemathesis keeps a cache (`.schemathesis/`) where it runs.
        let scratch = try TestMedia.makeTemporaryDirectory("schemathesis")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try TestMedia.run("/usr/bin/env", ["-C", scratch.path, tool, "run", server.baseURL + "/api/v1/openapi.yaml", "--url", server.baseURL,
                                              "--checks", "all", "--exclude-method", "POST", "--max-examples", "40",
                                              "--no-color"], allowFailure: true)
        #expect(result.status == 0, "\(result.stdout.suffix(6000))\n\(result.stderr.suffix(2000))")
    }
}
