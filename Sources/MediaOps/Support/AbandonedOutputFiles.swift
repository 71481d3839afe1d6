import Foundation
import Synchronization

/// The temporary files of earlier runs that were killed while writing an output (a backend's timeout sends
/// SIGKILL, which no handler sees: the hidden `.out.partial-…` stayed for good). The next
/// ``OutputDestination`` for an output of the same name in the same folder removes them: only names that
/// type makes, of this machine's processes that no longer run (another machine's process ids mean nothing
/// here, and two containers may share a host name but not an output).
///
/// Each folder is listed once per process, not once per output: `keyframes` writes a hundred images into
/// one folder, and in a folder of 30,000 files each listing cost 10 ms. What that one listing found is kept
/// by output name until an output of that name comes (a file abandoned after it waits for the next process).
enum AbandonedOutputFiles {
    /// Per folder listed: the abandoned temporary files found, by the output name they were for.
    private static let found = Mutex<[String: [String: [String]]]>([:])
    /// How many folders are remembered; past that, all are forgotten (listed again when written again), so
    /// that a process that lives long and writes into many folders does not hold one entry for each.
    private static let foldersKept = 256

    /// Removes the abandoned temporary files of output `name` (without its extension) in `folder`.
    static func remove(of name: String, in folder: URL) {
        let entries = found.withLock { found -> [String] in
            if found[folder.path] == nil {
                if found.count >= foldersKept { found.removeAll() }
                found[folder.path] = list(folder)
            }
            return found[folder.path]?.removeValue(forKey: name) ?? []
        }
        for entry in entries { try? FileManager.default.removeItem(at: folder.appendingPathComponent(entry)) }
    }

    /// The abandoned temporary files in `folder`, by output name: `.NAME.partial-MACHINE-PID-HEX[.EXT]` with
    /// MACHINE this one and PID a process that has ended.
    private static func list(_ folder: URL) -> [String: [String]] {
        let marker = ".partial-\(TemporaryFileOwner.machine)-"
        guard !TemporaryFileOwner.machine.isEmpty,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var byName: [String: [String]] = [:]
        for entry in entries where entry.hasPrefix(".") {
            guard let range = entry.range(of: marker, options: .backwards) else { continue }
            let name = String(entry[entry.index(after: entry.startIndex)..<range.lowerBound])
            let parts = entry[range.upperBound...].split(separator: "-", maxSplits: 1)
            guard !name.isEmpty, parts.count == 2, let pid = Int32(parts[0]),
                  let unique = parts[1].split(separator: ".", maxSplits: 1).first, !unique.isEmpty,
                  unique.allSatisfy(\.isHexDigit), TemporaryFileOwner.hasEnded(pid) else { continue }
            byName[name, default: []].append(entry)
        }
        return byName
    }
}
