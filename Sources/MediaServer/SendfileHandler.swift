import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Sends a media body from the file to the socket in the kernel (`sendfile(2)`), as nginx does.
///
/// Hummingbird writes response bodies as byte buffers: a 1 MiB range was read into memory and copied
/// out again, which held `serve` to about 0.4 of nginx's rate. A media route instead answers with its
/// headers, an empty body and ``HTTPField/Name/pixsimSendfile`` naming the file and the span; this
/// handler, next to the HTTP/1 codec, takes that field off the response head and, when the response
/// ends, writes the span as a `FileRegion` below the codec, where NIO's HTTP/1 encoder passes it to the
/// socket whole. The field never leaves the process.
///
/// One handler per connection (responses on a connection are written in order, one at a time). The file
/// is opened when its response ends and closed when the write completes or fails. A file gone or cut short
/// between the route's check and the write closes the connection: the head, with its length, is on its
/// way, and a short body must not pass for a whole one (nor a response wait for bytes that are not there).
final class SendfileHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The span of a file a response promised, between its head and its end.
    struct FileSpan {
        var path: String
        var offset: Int
        var count: Int

        /// The field's value: offset, count and the path as ``fieldForm(of:)`` gives it.
        static func fieldValue(fieldFormPath: String, offset: Int, count: Int) -> String {
            "\(offset) \(count) \(fieldFormPath)"
        }

        /// `path` percent-encoded unless it is printable ASCII without spaces or `%` (a field value must
        /// not carry control characters; the library's own paths are plain). Worked out once per file: on
        /// every request it was a twentieth of the CPU.
        static func fieldForm(of path: String) -> String {
            let plain = path.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "%") }
            return plain ? path : (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
        }
    }

    private var pending: FileSpan?
    /// The HTTP/1 codec's context, below which the file regions are written (looked up once).
    private var codec: ChannelHandlerContext?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            guard let value = response.headerFields[.pixsimSendfile] else { break }
            response.headerFields[.pixsimSendfile] = nil
            guard let span = FileSpan(fieldValue: value) else {
                // Only our own routes set the field; a malformed one is a bug, not a reason to send a
                // response whose length cannot be honoured.
                promise?.fail(ChannelError.inappropriateOperationForState)
                context.close(promise: nil)
                return
            }
            pending = span
            Self.setCork(true, on: context.channel)
            context.write(wrapOutboundOut(.head(response)), promise: promise)
            return
        case .end:
            guard let span = pending else { break }
            pending = nil
            guard sendFile(span, context: context) else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                context.close(promise: nil)
                return
            }
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    /// The socket's `TCP_CORK`, as nginx's `tcp_nopush` sets it around a file: on from the head until the
    /// file's bytes are with the kernel, so the head leaves in the same segments as the file's first bytes.
    /// Without it (NIO sets `TCP_NODELAY`) the head went out as a packet of its own and the client woke up
    /// and read twice per answer: wrk spent two thirds more CPU per request on `serve` than on nginx.
    /// Taking the cork off sends what is left at once.
    static func setCork(_ on: Bool, on channel: any Channel) {
        // Called on the channel's event loop: set at once, without a future (a closed socket fails, and
        // then there is nothing to send anyway).
        try? channel.syncOptions?.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_CORK)),
                                            value: on ? 1 : 0)
    }

    /// Writes `span` below the HTTP/1 codec (as HTTP/1 body bytes); false when the file cannot be opened,
    /// no longer holds the span (a file cut short would leave `sendfile` nothing to send, and the response
    /// waiting for bytes), or the codec is not in the pipeline.
    private func sendFile(_ span: FileSpan, context: ChannelHandlerContext) -> Bool {
        if codec == nil { codec = try? context.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self) }
        guard let codec, let handle = try? NIOFileHandle(_deprecatedPath: span.path) else { return false }
        let size = try? handle.withUnsafeFileDescriptor { descriptor -> Int in
            var status = stat()
            return fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : -1
        }
        guard let size, size >= span.offset + span.count else {
            try? handle.close()
            return false
        }
        let region = FileRegion(fileHandle: handle, readerIndex: span.offset, endIndex: span.offset + span.count)
        let written = context.eventLoop.makePromise(of: Void.self)
        let channel = context.channel
        written.futureResult.whenComplete { _ in
            try? handle.close()
            Self.setCork(false, on: channel)
        }
        codec.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: written)
        return true
    }
}

extension SendfileHandler.FileSpan {
    /// The span a field names; nil for a value no route of ours writes.
    init?(fieldValue: String) {
        let parts = fieldValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let offset = Int(parts[0]), let count = Int(parts[1]), offset >= 0, count > 0,
              let path = parts[2].utf8.contains(UInt8(ascii: "%")) ? String(parts[2]).removingPercentEncoding : String(parts[2]),
              !path.isEmpty else { return nil }
        self.init(path: path, offset: offset, count: count)
    }
}

extension HTTPField.Name {
    /// The file span a media response's body is (``SendfileHandler``); internal to the process.
    static let pixsimSendfile = HTTPField.Name("X-Pixsim-Sendfile")!
}
