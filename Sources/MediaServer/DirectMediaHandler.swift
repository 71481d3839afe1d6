import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers a request for an asset's file that the server has resolved before on the connection's event
/// loop, without the router: a player's range requests are most of what `serve` is asked, and each went
/// from the event loop to a task, through the router and four middlewares and back, which cost more CPU
/// than sending the megabyte itself (`sendfile`).
///
/// It answers only what the route would answer the same way (``MediaFiles/answer(method:fields:stored:)``
/// decides for both, ``SendfileHandler`` sends the bytes for both): a GET or HEAD of `/media/{sha256}`
/// whose file is in ``MediaFiles``' resolved entries and still readable, with the token when the server
/// has one, on a kept-alive connection, when no earlier request on the connection is still with the
/// router (answers leave in the order the requests came). Everything else (a first request for a file, a
/// wrong token, a range outside the file, `Connection: close`) is passed on to the router unchanged, which
/// answers it as before. Each answer writes its access-log line like the router's.
///
/// It sits after Hummingbird's connection state handler (``Installer`` puts it there), so the idle timeout
/// and graceful shutdown see its requests and answers as they see the router's.
final class DirectMediaHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What every connection's handler shares.
    struct Settings: Sendable {
        let media: MediaFiles
        /// The Bearer token the server requires, if any (a request without it goes to the router: 401).
        let token: String?
        /// The `Server` field Hummingbird puts on the router's answers.
        let serverName: String
        let accessLog: Logger
    }

    /// A request answered here, between its head and its end.
    private struct Answer {
        var response: HTTPResponse
        var method: HTTPRequest.Method
        var path: Substring
        var started: ContinuousClock.Instant
    }

    private let settings: Settings
    /// Requests passed on to the router whose answers have not ended yet.
    private var withRouter = 0
    private var answering: Answer?
    private var date = HTTPDateText()

    init(settings: Settings) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if withRouter == 0, let answer = answer(request) {
                answering = answer
                return
            }
            withRouter += 1
        case .body:
            if answering != nil { return }  // a GET's body means nothing to the answer
        case .end:
            if let answer = answering {
                answering = nil
                send(answer, context: context)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The router also ends answers to requests it never read a head of (a request that did not parse,
        // just before the connection closes): those were not counted.
        if case .end = unwrapOutboundIn(data), withRouter > 0 { withRouter -= 1 }
        context.write(data, promise: promise)
    }

    /// The answer to `request` if it is one this handler gives; nil to pass the request on.
    private func answer(_ request: HTTPRequest) -> Answer? {
        guard request.method == .get || request.method == .head, let target = request.path else { return nil }
        let path = target.prefix { $0 != "?" }
        let prefix = "/media/"
        guard path.hasPrefix(prefix) else { return nil }
        let sha = path.dropFirst(prefix.count)
        guard MediaFiles.isHash(sha), let stored = settings.media.known(String(sha)) else { return nil }
        if let token = settings.token, !BearerTokenMiddleware.authorizes(request.headerFields[.authorization], token: token) {
            return nil
        }
        if let connection = request.headerFields[.connection], connection.lowercased().contains("close") { return nil }
        var status: HTTPResponse.Status
        var fields: HTTPFields
        switch MediaFiles.answer(method: request.method, fields: request.headerFields, stored: stored) {
        case .fields(let answerStatus, let answerFields):
            (status, fields) = (answerStatus, answerFields)
        case .file(let answerStatus, let answerFields, let span):
            // A file gone from the store is the router's to answer (404, and it forgets the file).
            guard let sending = MediaFiles.sendfileFields(stored, span, answerFields) else { return nil }
            (status, fields) = (answerStatus, sending)
        case .unsatisfiable:
            return nil  // the router's JSON failure
        }
        fields[.date] = date.now()
        fields[.server] = settings.serverName
        return Answer(response: HTTPResponse(status: status, headerFields: fields), method: request.method, path: path,
                      started: .now)
    }

    private func send(_ answer: Answer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(answer.response)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        AccessLogMiddleware.record(settings.accessLog, method: answer.method, path: String(answer.path),
                                   status: answer.response.status, bytes: answer.response.headerFields[.contentLength],
                                   since: answer.started)
    }
}

extension DirectMediaHandler {
    /// Puts a ``DirectMediaHandler`` right after Hummingbird's connection state handler when the
    /// connection's first request arrives, then leaves the pipeline.
    ///
    /// Hummingbird adds the handlers it is given before its state handler (which counts requests in flight
    /// for the idle timeout and graceful shutdown); a handler answering requests there would hide them from
    /// it, so a busy connection could be closed as idle or in the middle of an answer at shutdown.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        private let settings: Settings

        init(settings: Settings) {
            self.settings = settings
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let pipeline = context.pipeline.syncOperations
            if let state = try? pipeline.context(handlerType: HTTPConnectionStateHandler.self) {
                try? pipeline.addHandler(DirectMediaHandler(settings: settings), position: .after(state.handler))
            }
            context.fireChannelRead(data)
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}

/// The `Date` field's text (RFC 9110's IMF-fixdate, English names whatever the locale), formatted at
/// most once a second.
struct HTTPDateText {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private var second: time_t = -1
    private var text = ""

    mutating func now() -> String {
        var now = time(nil)
        guard now != second else { return text }
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        text = "\(Self.days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(Self.months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        second = now
        return text
    }
}
