import Foundation

/// Which HTTP redirects a download follows (SPEC section 6, issue 15): a URL
/// from a manifest must not become a way to read this machine's other
/// services. Only `http`/`https` targets, and never from a public host to a
/// loopback, link-local or private address (a host name is resolved to see
/// where it points). A loopback or private origin (a test server, a local
/// CDN cache) may redirect within its own kind.
public enum RedirectPolicy {
    public static func allows(from origin: URL, to target: URL) -> Bool {
        guard let scheme = target.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = target.host else {
            return false
        }
        guard let originHost = origin.host else { return false }
        let originIsInternal = addresses(of: originHost).contains(where: isInternal)
        if originIsInternal { return true }
        let targets = addresses(of: host)
        // A name that does not resolve is refused too: it could resolve differently when fetched.
        return !targets.isEmpty && !targets.contains(where: isInternal)
    }

    /// Whether an address is loopback, unspecified, link-local or private (RFC 1918, RFC 4193, CGNAT).
    public static func isInternal(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            let a = value >> 24, b = (value >> 16) & 0xFF
            return a == 127 || a == 10 || a == 0 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 169 && b == 254) || (a == 100 && (64...127).contains(b))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
            if bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80 { return true }  // fe80::/10
            if (bytes[0] & 0xFE) == 0xFC { return true }  // fc00::/7
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {  // ::ffff:a.b.c.d
                return isInternal("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])")
            }
            return false
        }
        return true  // not an address at all: treat as internal (refused as a target)
    }

    /// The numeric addresses `host` resolves to (itself when it is one).
    static func addresses(of host: String) -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                found.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            node = entry.pointee.ai_next
        }
        return found
    }
}
