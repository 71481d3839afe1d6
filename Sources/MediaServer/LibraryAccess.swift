import Foundation
import MediaLibrary
import NIOPosix

/// The library as the server reaches it: every call of the synchronous
/// ``LibraryStore`` runs on a thread of its own pool, never on an event loop
/// (a blocked event loop stalls every connection it serves, a SQLite read or a
/// PostgreSQL round trip included).
///
/// ```swift
/// let asset = try await library.run { store in try store.asset(id: 12) }
/// ```
public struct LibraryAccess: Sendable {
    public let store: any LibraryStore
    let threadPool: NIOThreadPool
    /// Answers kept while the library is unchanged (see ``cached(_:_:)``).
    let responses = ResponseCache()

    /// - Parameter threadPool: a started pool; its owner shuts it down.
    public init(store: any LibraryStore, threadPool: NIOThreadPool) {
        self.store = store
        self.threadPool = threadPool
    }

    /// Runs `body` with the store on the pool and returns its result.
    /// - Throws: what `body` throws, or the pool's error once it is shut down.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (any LibraryStore) throws -> Value) async throws -> Value {
        let store = self.store
        return try await threadPool.runIfActive { try body(store) }
    }

    /// Runs `body` on the pool unless the answer for `key` (the request's path and query) was already
    /// made and the library has not changed since; the library's change token is read first, so an
    /// answer made while a write commits is kept under the older token and not used again.
    public func cached(_ key: String, _ body: @escaping @Sendable (any LibraryStore) throws -> Data) async throws -> Data {
        let responses = self.responses
        return try await run { store in
            // A token that cannot be read (a library on a read-only mount without its -shm file, say) only
            // means no answer is kept: the request itself is answered as if nothing were cached.
            guard let token = (try? store.changeToken()) ?? nil else { return try body(store) }
            if let known = responses.answer(key, token: token) { return known }
            let data = try body(store)
            responses.keep(data, for: key, token: token)
            return data
        }
    }
}
