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

    /// Kills a server still running and removes its log (each test run left a score of them in /tmp).
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
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

extension HTTPExchange {
    /// Sends `requests` to `port` on one connection in a single write (HTTP/1.1 pipelining, which curl no
    /// longer does) and reads the answers until the server closes the connection (the last request should
    /// say `Connection: close`); the answers in the order they arrived.
    static func pipelined(port: Int, _ requests: [String]) throws -> [HTTPExchange] {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw ServeFixture.Failure(description: "socket: \(errno)") }
        defer { close(socketDescriptor) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeFixture.Failure(description: "connect to port \(port): \(errno)") }
        let bytes = Array(requests.joined().utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(socketDescriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw ServeFixture.Failure(description: "the requests were not sent whole")
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketDescriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        // Each answer: a head up to the blank line, then Content-Length bytes of body (none after a HEAD).
        var answers: [HTTPExchange] = []
        var rest = received[...]
        while let end = rest.range(of: Data("\r\n\r\n".utf8)) {
            let lines = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            var fields: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            // The answer to a HEAD announces the length of a body it does not carry.
            let isHead = answers.count < requests.count && requests[answers.count].hasPrefix("HEAD ")
            let length = isHead ? 0 : Int(fields["content-length"] ?? "0") ?? 0
            let body = rest[end.upperBound...].prefix(length)
            answers.append(HTTPExchange(status: status, headers: fields, body: Data(body)))
            rest = rest[(end.upperBound + body.count)...]
        }
        return answers
    }
}
