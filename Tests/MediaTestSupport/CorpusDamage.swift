import Foundation

/// Damage done to a copy of a corpus file, exactly as `scripts/mutate.py` did it when it found a
/// bug: tests rebuild the damaged file from the corpus rather than keep binary copies of it.
public enum CorpusDamage: Sendable {
    /// A block repeated in place: every offset the container's index gives after it is wrong.
    case repeated(at: Int, length: Int)
    /// Single bytes overwritten.
    case bytes([(offset: Int, value: UInt8)])
    /// A block of zeros where data was (a lost disk block, an unfinished download filled with zeros).
    case zeroed(at: Int, length: Int)

    public func apply(to data: Data) -> Data {
        switch self {
        case .repeated(let at, let length):
            return data.prefix(at) + data.subdata(in: at..<(at + length)) + data.suffix(from: at)
        case .bytes(let changes):
            var copy = data
            for change in changes { copy[change.offset] = change.value }
            return copy
        case .zeroed(let at, let length):
            var copy = data
            copy.resetBytes(in: at..<min(data.count, at + length))
            return copy
        }
    }

    /// Writes the damaged copy of corpus file `file` into `folder` as `damaged-<name>`.
    public func copy(of file: String, in folder: URL) throws -> URL {
        let source = try TestMedia.corpusFile(file)
        let copy = folder.appendingPathComponent("damaged-" + source.lastPathComponent)
        try apply(to: Data(contentsOf: source)).write(to: copy)
        return copy
    }
}
