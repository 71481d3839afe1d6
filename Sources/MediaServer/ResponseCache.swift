import Foundation
import Synchronization

/// Answers already made, kept while the library is unchanged: the asset list of a 100,000-asset library
/// costs a query and the encoding of 50 assets per request, where a browser paging back and forth, or a
/// backend polling, asks the same thing many times between two writes.
///
/// An entry is valid for the library's ``MediaLibrary/LibraryStore/changeToken()`` it was made under; any
/// commit by any process changes the token, so a cached answer is never older than the library. Bounded:
/// at most ``capacity`` entries of at most ``largestEntry`` bytes each (emptied when full: the working set
/// of a browsing session is a few pages; at most 64 MiB, an asset list page of 200 being about 80 KiB).
final class ResponseCache: Sendable {
    static let capacity = 256
    static let largestEntry = 256 * 1024

    private struct Entry {
        var token: String
        var data: Data
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The answer stored under `key` if it was made under `token`.
    func answer(_ key: String, token: String) -> Data? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.token == token else { return nil }
            return entry.data
        }
    }

    /// Keeps `data` as the answer to `key` under `token` (unless it is too large to keep).
    func keep(_ data: Data, for key: String, token: String) {
        guard data.count <= Self.largestEntry else { return }
        entries.withLock { entries in
            if entries.count >= Self.capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(token: token, data: data)
        }
    }
}
