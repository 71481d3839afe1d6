import Foundation

/// Trims the presented end of the tracks of a finished MP4/MOV file by
/// rewriting the durations of their edit lists (`elst`), track headers
/// (`tkhd`) and movie header (`mvhd`) in place.
///
/// libav's mov muxer hides a clip's pre-roll with an edit list when the first
/// packets have negative timestamps, but it always ends the edit at the last
/// packet's end. A stream copy must keep packets that only serve as references
/// for the frames before the cut (a P-frame that B-frames before `end` are
/// predicted from), and without this those frames would be shown too.
enum MovieEditList {
    struct Box {
        var type: String
        /// Offset of the box header in the buffer or file.
        var offset: Int
        var headerSize: Int
        var size: Int
        var payloadOffset: Int { offset + headerSize }
        var end: Int { offset + size }
    }

    /// The boxes in `bytes[range]`.
    static func boxes(in bytes: [UInt8], range: Range<Int>) -> [Box] {
        var result: [Box] = []
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            var size = Int(readUInt32(bytes, offset))
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            var header = 8
            if size == 1 {
                guard offset + 16 <= range.upperBound else { break }
                size = Int(readUInt64(bytes, offset + 8))
                header = 16
            } else if size == 0 {
                size = range.upperBound - offset
            }
            guard size >= header, offset + size <= range.upperBound else { break }
            result.append(Box(type: type, offset: offset, headerSize: header, size: size))
            offset += size
        }
        return result
    }

    static func readUInt32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }
    static func readUInt64(_ b: [UInt8], _ o: Int) -> UInt64 {
        UInt64(readUInt32(b, o)) << 32 | UInt64(readUInt32(b, o + 4))
    }
    static func writeUInt32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        for i in 0..<4 { b[o + i] = UInt8((v >> (8 * UInt32(3 - i))) & 0xFF) }
    }
    static func writeUInt64(_ b: inout [UInt8], _ o: Int, _ v: UInt64) {
        for i in 0..<8 { b[o + i] = UInt8((v >> (8 * UInt64(7 - i))) & 0xFF) }
    }

    /// Sets the presented duration of tracks (by track order, which is libav's
    /// stream order) to `durations` seconds. Tracks not named keep theirs.
    /// - Throws: ``MediaError`` when the file has no movie box or cannot be rewritten.
    static func setPresentedDurations(path: String, durations: [Int: Double]) throws(MediaError) {
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw MediaError(path: path, code: .outputUnwritable, message: "cannot reopen the output to set its edit lists")
        }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            // Walk the top-level boxes by their headers only.
            var offset = 0
            var movie: (offset: Int, size: Int)? = nil
            while offset + 8 <= fileSize {
                try handle.seek(toOffset: UInt64(offset))
                let header = [UInt8](try handle.read(upToCount: 16) ?? Data())
                guard header.count >= 8 else { break }
                var size = Int(readUInt32(header, 0))
                let type = String(decoding: header[4..<8], as: UTF8.self)
                if size == 1, header.count >= 16 { size = Int(readUInt64(header, 8)) } else if size == 0 { size = fileSize - offset }
                guard size >= 8 else { break }
                if type == "moov" { movie = (offset, size); break }
                offset += size
            }
            guard let movie else {
                throw MediaError(path: path, code: .libav, message: "the muxer wrote no movie box to put edit lists in")
            }
            try handle.seek(toOffset: UInt64(movie.offset))
            var bytes = [UInt8](try handle.read(upToCount: movie.size) ?? Data())
            guard bytes.count == movie.size else { throw MediaError(path: path, code: .truncated, message: "movie box is cut short") }
            guard patch(&bytes, durations: durations) else { return }
            try handle.seek(toOffset: UInt64(movie.offset))
            try handle.write(contentsOf: Data(bytes))
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError(path: path, code: .outputUnwritable, message: "cannot rewrite edit lists: \(error.localizedDescription)")
        }
    }

    /// Rewrites a `moov` box held in `bytes`; false when nothing was changed.
    static func patch(_ bytes: inout [UInt8], durations: [Int: Double]) -> Bool {
        let top = boxes(in: bytes, range: 0..<bytes.count)
        guard let moov = top.first(where: { $0.type == "moov" }) else { return false }
        let children = boxes(in: bytes, range: moov.payloadOffset..<moov.end)
        guard let mvhd = children.first(where: { $0.type == "mvhd" }) else { return false }
        let mvhdVersion = bytes[mvhd.payloadOffset]
        let timescaleOffset = mvhd.payloadOffset + (mvhdVersion == 1 ? 20 : 12)
        let movieTimescale = Double(readUInt32(bytes, timescaleOffset))
        guard movieTimescale > 0 else { return false }
        var changed = false
        var longest: UInt64 = 0
        for (trackIndex, trak) in children.filter({ $0.type == "trak" }).enumerated() {
            let parts = boxes(in: bytes, range: trak.payloadOffset..<trak.end)
            guard let tkhd = parts.first(where: { $0.type == "tkhd" }) else { continue }
            let tkhdVersion = bytes[tkhd.payloadOffset]
            let tkhdDurationOffset = tkhd.payloadOffset + (tkhdVersion == 1 ? 28 : 20)
            var trackDuration = tkhdVersion == 1 ? readUInt64(bytes, tkhdDurationOffset) : UInt64(readUInt32(bytes, tkhdDurationOffset))
            if let seconds = durations[trackIndex],
               let edts = parts.first(where: { $0.type == "edts" }),
               let elst = boxes(in: bytes, range: edts.payloadOffset..<edts.end).first(where: { $0.type == "elst" }) {
                let version = bytes[elst.payloadOffset]
                let count = Int(readUInt32(bytes, elst.payloadOffset + 4))
                let entrySize = version == 1 ? 20 : 12
                let first = elst.payloadOffset + 8
                if count > 0, first + count * entrySize <= elst.end {
                    let wanted = UInt64(max(1, (seconds * movieTimescale).rounded(.down)))
                    var before: UInt64 = 0
                    for entry in 0..<(count - 1) {
                        let o = first + entry * entrySize
                        before += version == 1 ? readUInt64(bytes, o) : UInt64(readUInt32(bytes, o))
                    }
                    if wanted > before {
                        let last = first + (count - 1) * entrySize
                        if version == 1 { writeUInt64(&bytes, last, wanted - before) } else { writeUInt32(&bytes, last, UInt32(clamping: wanted - before)) }
                        trackDuration = wanted
                        if tkhdVersion == 1 { writeUInt64(&bytes, tkhdDurationOffset, wanted) } else { writeUInt32(&bytes, tkhdDurationOffset, UInt32(clamping: wanted)) }
                        changed = true
                    }
                }
            }
            longest = max(longest, trackDuration)
        }
        if changed {
            let mvhdDurationOffset = timescaleOffset + 4
            if mvhdVersion == 1 { writeUInt64(&bytes, mvhdDurationOffset, longest) } else { writeUInt32(&bytes, mvhdDurationOffset, UInt32(clamping: longest)) }
        }
        return changed
    }
}
