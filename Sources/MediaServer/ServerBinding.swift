import Foundation
import MediaCore

/// Where `serve` listens (`--bind HOST:PORT`) and whether that is loopback only.
///
/// Anything but loopback is reachable from other machines, so the command
/// refuses such a bind without a token (SPEC section 8): the check lives here,
/// beside the parsing, so the command and the tests ask the same question.
public struct ServerBinding: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultBinding = ServerBinding(host: "127.0.0.1", port: 8470)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback).
    /// - Throws: ``ErrorReport`` `invalid_argument` naming what is wrong.
    public init(parsing text: String) throws(ErrorReport) {
        func refuse(_ why: String) -> ErrorReport {
            ErrorReport(subject: "--bind", code: .invalidArgument, message: "'\(DisplayText.escaped(text, maximumLength: 80))' \(why)")
        }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw refuse("is not [IPv6]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw refuse("is not HOST:PORT") }
            let named = String(text[..<colon])
            guard !named.contains(":") else { throw refuse("is an IPv6 address: write it as [ADDRESS]:PORT") }
            host = named.isEmpty ? Self.defaultBinding.host : named
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { throw refuse("has no port between 0 and 65535") }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) else {
            throw refuse("has no host name or address")
        }
        self.init(host: host, port: port)
    }

    /// Whether only this machine can connect: `localhost`, `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
