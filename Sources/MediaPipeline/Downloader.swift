import Foundation
import Logging
import MediaCore
import MediaOps
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads provider URLs into the library's temporary folder.
///
/// Provider CDNs fail in every way: refused connections, 5xx, stalls
/// mid-transfer, HTML error pages with status 200. So: a stall timeout (no
/// byte for `stallTimeout`) and an overall timeout; retries with exponential
/// backoff for what may pass (network errors, timeouts, 5xx, 429), none for
/// what will not (other 4xx, too large); a size cap checked against
/// `Content-Length` and while receiving; and the bytes go to a temporary file
/// that the caller renames only once complete and checked to be media.
public struct Downloader: Sendable {
    public var stallTimeout: TimeInterval
    public var totalTimeout: TimeInterval
    /// Attempts in all (1 = no retry).
    public var attempts: Int
    /// Delay before the first retry; doubled for each further one.
    public var initialBackoff: TimeInterval
    public var maximumBytes: Int64
    /// Checked a few times a second while a transfer runs or a retry waits:
    /// when it says stop (`watch` got SIGTERM), the transfer is cancelled at
    /// once, however slowly the server drips, and nothing is retried.
    public var shouldStop: (@Sendable () -> Bool)?
    /// How often ``shouldStop`` is checked.
    static let stopCheckInterval: TimeInterval = 0.2

    public init(stallTimeout: TimeInterval = 30, totalTimeout: TimeInterval = 600, attempts: Int = 3,
                initialBackoff: TimeInterval = 1, maximumBytes: Int64 = 4 << 30) {
        self.stallTimeout = stallTimeout
        self.totalTimeout = totalTimeout
        self.attempts = max(1, attempts)
        self.initialBackoff = initialBackoff
        self.maximumBytes = maximumBytes
    }

    /// Downloads `url` to `destination` (a temporary path; removed on failure).
    /// - Returns: the number of bytes written.
    /// - Throws: ``PipelineError`` `download` or `too_large`, after the retries.
    public func download(_ url: URL, to destination: URL) throws(PipelineError) -> Int64 {
        var delay = initialBackoff
        var lastError = PipelineError(subject: url.absoluteString, code: .download, message: "not attempted")
        var made = 0
        for attempt in 1...attempts {
            made = attempt
            do {
                return try downloadOnce(url, to: destination)
            } catch {
                try? FileManager.default.removeItem(at: destination)
                lastError = error.error
                guard error.retryable, attempt < attempts else { break }
                PipelineLogging.download.warning("download failed; retrying", metadata: [
                    "url": "\(DisplayText.escaped(url.absoluteString))", "attempt": "\(attempt)", "of": "\(attempts)",
                    "error": "\(DisplayText.escaped(error.error.message))",
                    "retry_in": PipelineLogging.seconds(delay)])
                if !pause(delay) { throw stopped(url) }
                delay *= 2
            }
        }
        // Say how many requests were made only when there was more than one.
        if made > 1 && lastError.code == .download {
            lastError.message += " (after \(made) attempts)"
        }
        throw lastError
    }

    private func stopped(_ url: URL) -> PipelineError {
        PipelineError(subject: url.absoluteString, code: .download, message: "download stopped (the process was asked to stop)")
    }

    private var isStopRequested: Bool { shouldStop?() ?? false }

    /// Sleeps `seconds`, waking to check ``shouldStop``. - Returns: false when asked to stop.
    private func pause(_ seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isStopRequested { return false }
            Thread.sleep(forTimeInterval: min(Self.stopCheckInterval, max(0, deadline.timeIntervalSinceNow)))
        }
        return !isStopRequested
    }

    struct AttemptFailure: Error {
        var error: PipelineError
        var retryable: Bool
    }

    private func downloadOnce(_ url: URL, to destination: URL) throws(AttemptFailure) -> Int64 {
        let subject = url.absoluteString
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: destination.path) else {
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download, message: "cannot create \(destination.path)"), retryable: false)
        }
        defer { try? handle.close() }
        let transfer = Transfer(handle: handle, maximumBytes: maximumBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = stallTimeout
        configuration.timeoutIntervalForResource = totalTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        var request = URLRequest(url: url)
        request.timeoutInterval = stallTimeout
        let task = session.dataTask(with: request)
        if isStopRequested { throw AttemptFailure(error: stopped(url), retryable: false) }
        task.resume()
        while transfer.finished.wait(timeout: .now() + Self.stopCheckInterval) == .timedOut {
            if isStopRequested {
                task.cancel()
                _ = transfer.finished.wait(timeout: .now() + 2)
                session.invalidateAndCancel()
                throw AttemptFailure(error: stopped(url), retryable: false)
            }
        }
        session.finishTasksAndInvalidate()
        let outcome = transfer.outcome
        switch outcome {
        case .completed(let bytes):
            if bytes == 0 {
                throw AttemptFailure(error: PipelineError(subject: subject, code: .download, message: "the server sent an empty body"), retryable: false)
            }
            return bytes
        case .httpStatus(let status):
            let retryable = status >= 500 || status == 429 || status == 408
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download,
                                                      message: "HTTP \(status) \(HTTPURLResponse.localizedString(forStatusCode: status))"),
                                 retryable: retryable)
        case .tooLarge(let bytes):
            throw AttemptFailure(error: PipelineError(subject: subject, code: .tooLarge,
                                                      message: "larger than the \(maximumBytes)-byte limit (\(bytes) bytes or more)"),
                                 retryable: false)
        case .failed(let message, let timedOut):
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download,
                                                      message: timedOut ? "timed out: no data for \(Int(stallTimeout)) s or over \(Int(totalTimeout)) s in all" : message),
                                 retryable: true)
        case .refusedRedirect(let target):
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download,
                                                      message: "refused a redirect to \(DisplayText.escaped(target, maximumLength: 120)) "
                                                        + "(only http(s), and never from a public host to a loopback or private address)"),
                                 retryable: false)
        case .writeFailed(let message):
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download, message: "cannot write the download: \(message)"), retryable: false)
        case .pending:
            throw AttemptFailure(error: PipelineError(subject: subject, code: .download, message: "transfer ended without an outcome"), retryable: true)
        }
    }
}

/// The state of one HTTP transfer, fed by URLSession's delegate callbacks on
/// its own queue and read once `finished` is signalled.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked (URLSession requires a Sendable delegate): `outcome` and `received` are
    // written only on the session's serial delegate queue (one operation at a time), and the
    // downloading thread reads `outcome` only after `finished.wait()` returns, after the last
    // write; the semaphore's signal/wait orders that write before the read.
    enum Outcome {
        case pending
        case completed(Int64)
        case httpStatus(Int)
        case tooLarge(Int64)
        case failed(String, timedOut: Bool)
        case writeFailed(String)
        case refusedRedirect(String)
    }

    let handle: FileHandle
    let maximumBytes: Int64
    let finished = DispatchSemaphore(value: 0)
    private(set) var outcome: Outcome = .pending
    private var received: Int64 = 0

    init(handle: FileHandle, maximumBytes: Int64) {
        self.handle = handle
        self.maximumBytes = maximumBytes
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard case .pending = outcome else {
            completionHandler(.cancel)
            return
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            outcome = .httpStatus(http.statusCode)
            completionHandler(.cancel)
            return
        }
        if response.expectedContentLength > maximumBytes {
            outcome = .tooLarge(response.expectedContentLength)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard let from = task.originalRequest?.url, let to = request.url, RedirectPolicy.allows(from: from, to: to) else {
            outcome = .refusedRedirect(request.url?.absoluteString ?? "?")
            completionHandler(nil)
            task.cancel()
            return
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard case .pending = outcome else { return }
        received += Int64(data.count)
        if received > maximumBytes {
            outcome = .tooLarge(received)
            dataTask.cancel()
            return
        }
        do { try handle.write(contentsOf: data) } catch {
            outcome = .writeFailed(error.localizedDescription)
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if case .pending = outcome {
            if let error {
                let nsError = error as NSError
                let timedOut = nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorTimedOut
                outcome = .failed(error.localizedDescription, timedOut: timedOut)
            } else {
                outcome = .completed(received)
            }
        }
        finished.signal()
    }
}
