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
        // stat, not lstat: a symbolic link to media is that media.
        var status = stat()
        guard stat(path, &status) == 0 else { throw MediaError(path: path, code: .unreadable, message: String(cString: strerror(errno))) }
        if (status.st_mode & S_IFMT) != S_IFREG {
            throw MediaError(path: path, code: .notAFile, message: "is \(FileKind.describe(status.st_mode)), not a regular file")
        }
        let size = Int64(status.st_size)
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

    /// Opens `path` and reads its stream information, refusing a file whose index points past its end
    /// (``checkIndexWithinFile(_:path:)``) as `probe` does.
    public static func openWithStreamInfo(_ path: String) throws(MediaError) -> InputFile {
        let input = try open(path)
        do {
            try input.findStreamInfo()
        } catch {
            throw MediaError(path: path, libav: error)
        }
        try checkIndexWithinFile(input, path: path)
        return input
    }

    /// An MP4 or MOV whose index (read from its `moov`) places packets past the end of the file was cut short
    /// or has a damaged index. Every command that reads media refuses it with the same line, rather than
    /// decoding what happens to be there and writing a short or wrong result (SPEC section 6). Cheap: the
    /// index is already in memory; no packet is read.
    public static func checkIndexWithinFile(_ input: InputFile, path: String, claimed: Double? = nil) throws(MediaError) {
        guard input.formatName.hasPrefix("mov,mp4") else { return }
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        let fileSize = Int64(status.st_size)
        for stream in input.streams {
            guard let end = stream.indexEntries.lazy.map({ $0.position + Int64($0.size) }).max(), end > fileSize else { continue }
            throw truncatedIndex(path: path, claimed: claimed)
        }
    }

    static func truncatedIndex(path: String, claimed: Double?) -> MediaError {
        MediaError(path: path, code: .truncated,
                   message: "file is truncated: its index points past the end of the file" +
                      (claimed.map { String(format: " (header says %.3f s)", $0) } ?? ""))
    }
}
