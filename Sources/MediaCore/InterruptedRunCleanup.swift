import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Removes the temporary files a one-shot command is writing when it is stopped by a signal (Ctrl-C, a
/// backend's `SIGTERM` on a timeout, the terminal closing), then lets the signal end the process as it
/// would have. Without it the hidden `.out.partial-…` stayed until the next run writing that output on this
/// machine swept it, and in a folder nobody writes again, for good. `SIGKILL` cannot be caught: that case
/// is still the next run's (``TemporaryFileOwner``).
///
/// ```swift
/// InterruptedRunCleanup.removeTrackedFilesOnStopSignals()   // once, at start
/// let ticket = InterruptedRunCleanup.track("/out/.clip.partial-host-77-1f.mp4")
/// …
/// InterruptedRunCleanup.forget(ticket)                      // renamed into place, or removed
/// ```
///
/// The signal handler may run on any thread at any moment, so it can only read memory nobody is changing
/// and call what is safe in a signal handler (`unlink`, `signal`, `raise`). Paths are therefore copied into
/// fixed slots allocated once, each guarded by an atomic state: a slot is written only while it is
/// *being filled* by ``track(_:)``, read by the handler only once it has taken it from *live* to *taken*,
/// and never reused after that (the process is ending). Long-running commands (`watch`, `worker`, `serve`)
/// stop gracefully instead and install handlers of their own, which replace this one.
public enum InterruptedRunCleanup {
    /// A tracked path's slot, to hand back to ``forget(_:)``.
    public struct Ticket: Sendable {
        fileprivate let slot: Int
    }

    /// How many temporary files can be tracked at once (a run writes one or two; a batch a few at a time).
    /// A path beyond that is not tracked: the next run sweeps it, as before.
    static var slotCount: Int { slotStates.count }
    /// The longest path a slot holds, its terminating zero included (Linux's `PATH_MAX`).
    /// Computed, not stored: a stored static is made on first use, which the handler must not be.
    static var slotBytes: Int { 4096 }

    /// Installs the handler for `signals`, except those the process was started ignoring (`nohup` ignores
    /// SIGHUP; a shell's background job, SIGINT): those stay ignored. Call it before any output is written.
    public static func removeTrackedFilesOnStopSignals(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        // Globals are made on first use: make the slots now, not inside the handler (which must not take
        // the lock that first use takes).
        _ = slotPaths
        _ = slotStates[0].load(ordering: .relaxed)
        for number in signals where !isIgnored(number) {
            signal(number) { received in
                InterruptedRunCleanup.removeTrackedFiles()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    private static func isIgnored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0, let handler = current.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Starts tracking `path`, a temporary file about to be written. Returns `nil` (not tracked) when the
    /// path is too long or every slot is in use.
    public static func track(_ path: String) -> Ticket? {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < slotBytes, !bytes.contains(0) else { return nil }
        for slot in 0..<slotCount {
            guard slotStates[slot].compareExchange(expected: SlotState.free, desired: SlotState.filling, ordering: .acquiring).exchanged else {
                continue
            }
            let start = slotPaths + slot * slotBytes
            for (offset, byte) in bytes.enumerated() { start[offset] = CChar(bitPattern: byte) }
            start[bytes.count] = 0
            slotStates[slot].store(SlotState.live, ordering: .releasing)
            return Ticket(slot: slot)
        }
        return nil
    }

    /// Stops tracking a path: its file was renamed into place or removed. A slot the handler has already
    /// taken stays taken (the process is ending).
    public static func forget(_ ticket: Ticket?) {
        guard let ticket else { return }
        _ = slotStates[ticket.slot].compareExchange(expected: SlotState.live, desired: SlotState.free, ordering: .releasing)
    }

    /// Unlinks every live path. Safe in a signal handler: atomics and `unlink` only.
    static func removeTrackedFiles() {
        for slot in 0..<slotCount
        where slotStates[slot].compareExchange(expected: SlotState.live, desired: SlotState.taken, ordering: .acquiring).exchanged {
            unlink(slotPaths + slot * slotBytes)
        }
    }

    /// A slot's life: free → filling (``track(_:)`` copies the path) → live → free (``forget(_:)``), or
    /// live → taken (the handler, for good). Computed: the handler reads them, and must not make a stored static.
    private enum SlotState {
        static var free: Int { 0 }
        static var filling: Int { 1 }
        static var live: Int { 2 }
        static var taken: Int { 3 }
    }
}

/// Each slot's ``InterruptedRunCleanup/SlotState``; their number is ``InterruptedRunCleanup/slotCount``.
private let slotStates = InlineArray<64, Atomic<Int>> { _ in Atomic(0) }

/// The slots' paths, `slotCount` × `slotBytes` bytes allocated once and never freed (the handler may read
/// them at any time). Unsafe shared memory: each slot is written only by the one ``InterruptedRunCleanup/track(_:)``
/// call that moved its state to *filling*, and read only after the handler moved it from *live* to *taken*.
nonisolated(unsafe) private let slotPaths = UnsafeMutablePointer<CChar>.allocate(
    capacity: InterruptedRunCleanup.slotCount * InterruptedRunCleanup.slotBytes)
