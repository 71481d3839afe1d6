import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// ``PostgresLibraryStore`` runs all of its async work (the client's `run()`
/// and every query) as tasks preferring this executor, so that work never
/// needs a thread of Swift's cooperative pool: it runs on the event loop that
/// also does the socket I/O. That is what lets a synchronous caller block
/// while it waits, even when the caller itself is a cooperative-pool thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
