import Foundation
import MediaTestSupport

/// `pixsim-media serve` running as a user runs it, on a port the system picks (`--bind HOST:0`); its
/// stderr (the announcement and the access log) goes to a file the test can read.
final class ServeProcess {
    let process = Process()
    let port: Int
    let log: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }

    convenience init(library: URL, bind: String = "127.0.0.1:0", extra: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(arguments: ["serve", "--library", library.path, "--bind", bind] + extra, environment: environment)
    }

    /// - Parameter arguments: the whole command line after the executable (`--bind` defaults to a free loopback port).
    init(arguments: [String], environment: [String: String] = [:]) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("pixsim-serve-\(UUID().uuidString.prefix(8)).log")
        process.executableURL = TestMedia.cliExecutable
        process.arguments = arguments.contains("--bind") ? arguments : arguments + ["--bind", "127.0.0.1:0"]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "PIXSIM_SERVE_TOKEN")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var found: Int?
        let deadline = Date().addingTimeInterval(30)
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"at http://[^ ]+:(\d+)/"#, options: .regularExpression) {
                let match = text[range]
                found = Int(match.split(separator: ":").last?.dropLast() ?? "")
            }
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw ServeFixture.Failure(description: "serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits; returns the exit status (SIGKILL after 10 s).
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// One HTTP exchange through curl (`--path-as-is`, so `..` reaches the server as sent).
struct HTTPExchange {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
    func object() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw ServeFixture.Failure(description: "not an object: \(text.prefix(300))") }
        return object
    }

    static func send(_ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) throws -> HTTPExchange {
        let folder = try TestMedia.makeTemporaryDirectory("http")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bodyFile = folder.appendingPathComponent("body"), headerFile = folder.appendingPathComponent("headers")
        var arguments = ["-sS", "--path-as-is", "--max-time", "60", "-o", bodyFile.path, "-D", headerFile.path, "-w", "%{http_code}"]
        if method == "HEAD" { arguments.append("-I") } else { arguments += ["-X", method] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let upload = folder.appendingPathComponent("upload")
            try body.write(to: upload)
            arguments += ["--data-binary", "@\(upload.path)", "-H", "Content-Type: application/json"]
        }
        let result = try TestMedia.run("curl", arguments + [url], allowFailure: true)
        var fields: [String: String] = [:]
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in headerText.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPExchange(status: Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, headers: fields,
                            body: (try? Data(contentsOf: bodyFile)) ?? Data())
    }
}
