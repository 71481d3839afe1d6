import Foundation

/// A small Python HTTP server on loopback for tests (downloads, dripping
/// transfers, files to fetch again): the script binds port 0, prints the port
/// on its first line, and serves until killed. Killed (SIGKILL) by ``stop()``
/// or when the value goes away.
public final class LoopbackServer {
    public let process = Process()
    public let port: Int
    /// The server's standard output after the port line (scripts may report requests there).
    public let output: FileHandle

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Writes `script` into `folder` and runs it with `arguments`.
    public init(script: String, in folder: URL, arguments: [String] = []) throws {
        let file = folder.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).py")
        try Data(script.utf8).write(to: file)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", file.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        output = pipe.fileHandleForReading
        // Byte by byte, so nothing after the port line is consumed here.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = output.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw PostgresTestServer.Failure(description: "the loopback server did not start (\(file.lastPathComponent))")
        }
        self.port = port
    }

    /// Kills the server now (a server gone mid-test is how some tests make a source unreachable).
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
