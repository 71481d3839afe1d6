import Foundation
import LibAV

/// Checks that an input path names a readable, non-empty regular file before
/// libav sees it, so the error says what is wrong ("is a directory", "is
/// empty") instead of libav's generic "Invalid data".
public enum InputValidation {
    /// - Returns: the file's size in bytes.
    /// - Throws: ``MediaError`` (`not_found`, `not_a_file`, `unreadable`, `empty`).
    @discardableResult
    public static func checkReadableFile(_ path: String) throws(MediaError) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MediaError(path: path, code: .notFound, message: "no such file")
        }
        if isDirectory.boolValue { throw MediaError(path: path, code: .notAFile, message: "is a directory, not a media file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MediaError(path: path, code: .unreadable, message: "permission denied")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
            throw MediaError(path: path, code: .notAFile, message: "is not a regular file")
        }
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        if size == 0 { throw MediaError(path: path, code: .empty, message: "file is empty") }
        return size
    }

    /// Opens `path` for reading after ``checkReadableFile(_:)``, translating libav's failure.
    public static func open(_ path: String, options: [String: String] = [:]) throws(MediaError) -> InputFile {
        try checkReadableFile(path)
        do {
            return try InputFile(path: path, options: options)
        } catch {
            throw MediaError(path: path, libav: error)
        }
    }

    /// Opens `path` and reads its stream information.
    public static func openWithStreamInfo(_ path: String) throws(MediaError) -> InputFile {
        let input = try open(path)
        do {
            try input.findStreamInfo()
        } catch {
            throw MediaError(path: path, libav: error)
        }
        return input
    }
}
