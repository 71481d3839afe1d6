import Foundation
import Synchronization

/// The number of the first stop signal received (0: none yet). Written only by
/// the signal handler, with one atomic compare-and-exchange, which is safe in
/// signal context; read by ``StopSignal``.
private let receivedStopSignal = Atomic<Int32>(0)

/// Turns SIGINT and SIGTERM into a flag that long-running work checks between
/// items, so `watch` finishes the item in hand and exits cleanly instead of
/// dying mid-write.
///
/// A plain `signal` handler rather than a `DispatchSource`: on Linux a dispatch
/// signal source only sees signals that every thread blocks, and threads that
/// libav and the analysis workers start do not all block them, so a signal
/// delivered to one of those was lost and `watch` never stopped. A handler
/// runs on whichever thread the kernel picks; all it does is one atomic store.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number) { received in
                _ = receivedStopSignal.compareExchange(expected: 0, desired: received, ordering: .relaxed)
            }
        }
    }

    public var isStopRequested: Bool {
        requested.load(ordering: .relaxed) || receivedStopSignal.load(ordering: .relaxed) != 0
    }

    /// The first signal received, if any.
    public var signalNumber: Int32? {
        let number = receivedStopSignal.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// Asks to stop as a signal would (tests, other callers).
    public func requestStop() { requested.store(true, ordering: .relaxed) }
}
