import Foundation

/// Where an operation writes its result: never directly into the final path.
/// The result goes to a temporary file beside it, renamed into place only
/// once complete (``commit()``), so a failure or a kill leaves nothing partial.
///
/// ```swift
/// let destination = try OutputDestination(path: "out.mp4", inputs: ["in.mp4"])
/// defer { destination.discardIfUncommitted() }
/// try write(to: destination.temporaryPath)
/// try destination.commit()
/// ```
public final class OutputDestination: @unchecked Sendable {
    // @unchecked: the only mutable state is `committed`, touched by the one task that writes.
    public let path: String
    /// The file to write; same folder and extension as ``path``, hidden name.
    public let temporaryPath: String
    private var committed = false

    /// - Parameters:
    ///   - path: the final output path.
    ///   - inputs: the input paths; an output equal to any of them is refused.
    /// - Throws: ``MediaError`` `output_conflict` (same as an input, or a directory)
    ///   or `output_unwritable` (missing or read-only folder).
    public init(path: String, inputs: [String]) throws(MediaError) {
        let url = URL(fileURLWithPath: path)
        let resolvedOutput = url.standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs {
            let resolvedInput = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
            if resolvedInput == resolvedOutput {
                throw MediaError(path: path, code: .outputConflict, message: "output path is the same as an input; refusing to overwrite it")
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw MediaError(path: path, code: .outputConflict, message: "output path is a directory")
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError(path: path, code: .outputUnwritable, message: "output folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw MediaError(path: path, code: .outputUnwritable, message: "output folder \(folder) is not writable")
        }
        self.path = path
        let name = url.deletingPathExtension().lastPathComponent
        let pathExtension = url.pathExtension
        let unique = UInt32.random(in: 0...UInt32.max)
        let temporaryName = ".\(name).partial-\(String(unique, radix: 16))" + (pathExtension.isEmpty ? "" : ".\(pathExtension)")
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(temporaryName).path
    }

    /// Moves the finished temporary file into place (atomic `rename`).
    public func commit() throws(MediaError) {
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            discardIfUncommitted()
            throw MediaError(path: path, code: .outputUnwritable, message: "cannot move result into place: \(reason)")
        }
        committed = true
    }

    /// Removes the temporary file unless it was committed.
    public func discardIfUncommitted() {
        if !committed { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    deinit { discardIfUncommitted() }
}
