import CFFmpeg

/// An owned `AVDictionary` used to pass options into libav calls; freed by
/// `free()` (`av_dict_free`) in the same scope that made it.
struct OptionDictionary {
    var pointer: OpaquePointer? = nil

    init(_ values: [String: String]) {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&pointer, key, value, 0)
        }
    }

    mutating func free() { av_dict_free(&pointer) }

    /// Copies all entries of a libav-owned dictionary (`av_dict_get` iteration).
    static func read(_ dictionary: OpaquePointer?) -> [String: String] {
        var result: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            result[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
        return result
    }
}
