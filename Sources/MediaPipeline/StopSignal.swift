import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a flag that long-running work checks between
/// items, so `watch` finishes the item in hand and exits cleanly instead of
/// dying mid-write. Signals are delivered through `DispatchSource`, not a C
/// handler, so nothing unsafe runs in signal context.
public final class StopSignal: Sendable {
    private let stopped = Mutex(false)
    private let received = Mutex<Int32?>(nil)
    // DispatchSourceSignal is thread-safe; kept only to stay alive.
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        var made: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.received.withLock { $0 = $0 ?? number }
                self?.stopped.withLock { $0 = true }
            }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    public var isStopRequested: Bool { stopped.withLock { $0 } }

    /// The first signal received, if any.
    public var signalNumber: Int32? { received.withLock { $0 } }

    /// Asks to stop as a signal would (tests, other callers).
    public func requestStop() { stopped.withLock { $0 = true } }
}
