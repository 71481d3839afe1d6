/// The few facts about H.264 bitstreams that smart cutting needs: which NAL
/// units a packet holds, whether it starts an IDR picture, which parameter-set
/// ids are in use, and the `avcC` decoder configuration record (ISO/IEC
/// 14496-15) that MP4 and Matroska carry out of band.
///
/// A smart cut joins pictures from two encoders in one track that has one
/// decoder configuration. The re-encoded head therefore uses parameter-set
/// ids the source does not use, and both encoders' parameter sets go into a
/// single `avcC`: each slice then finds its own SPS/PPS and neither stream is
/// decoded with the other's.
enum H264Bitstream {
    /// NAL unit types (ITU-T H.264 table 7-1) this code looks at.
    enum UnitType: UInt8 {
        case nonIDRSlice = 1, idrSlice = 5, sei = 6, sequenceParameterSet = 7, pictureParameterSet = 8, accessUnitDelimiter = 9
    }

    /// Splits an Annex B byte stream (start-code separated) into NAL units.
    static func annexBUnits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var index = 0
        var unitStart: Int? = nil
        let count = bytes.count
        while index + 2 < count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let start = unitStart {
                    var end = index
                    while end > start, bytes[end - 1] == 0 { end -= 1 }  // the zero of a four-byte start code
                    units.append(bytes[start..<end])
                }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let start = unitStart, start < count { units.append(bytes[start..<count]) }
        return units.filter { !$0.isEmpty }
    }

    /// Splits a length-prefixed (MP4 style) sample into NAL units; nil when the lengths do not add up.
    static func lengthPrefixedUnits(_ bytes: UnsafeRawBufferPointer, lengthSize: Int) -> [ArraySlice<UInt8>]? {
        var units: [ArraySlice<UInt8>] = []
        let all = Array(bytes)
        var offset = 0
        while offset + lengthSize <= all.count {
            var length = 0
            for i in 0..<lengthSize { length = (length << 8) | Int(all[offset + i]) }
            offset += lengthSize
            guard length > 0, offset + length <= all.count else { return nil }
            units.append(all[offset..<(offset + length)])
            offset += length
        }
        return offset == all.count ? units : nil
    }

    /// Writes NAL units as one length-prefixed sample.
    static func lengthPrefixed(_ units: [ArraySlice<UInt8>], lengthSize: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(units.reduce(0) { $0 + $1.count + lengthSize })
        for unit in units {
            for i in (0..<lengthSize).reversed() { out.append(UInt8((unit.count >> (8 * i)) & 0xFF)) }
            out.append(contentsOf: unit)
        }
        return out
    }

    static func unitType(_ unit: ArraySlice<UInt8>) -> UInt8 { unit.first.map { $0 & 0x1F } ?? 0 }

    /// The first unsigned Exp-Golomb value after `skipBytes` bytes of a NAL
    /// unit's payload (emulation-prevention bytes removed first).
    static func firstExpGolomb(_ unit: ArraySlice<UInt8>, skipBytes: Int) -> Int? {
        var reader = BitReader(rbsp: Array(unit))
        reader.skip(bits: 8 * skipBytes)
        return reader.unsignedExpGolomb()
    }

    /// The `seq_parameter_set_id` of an SPS NAL unit.
    static func sequenceParameterSetID(_ sps: ArraySlice<UInt8>) -> Int? { firstExpGolomb(sps, skipBytes: 4) }

    /// The `pic_parameter_set_id` of a PPS NAL unit.
    static func pictureParameterSetID(_ pps: ArraySlice<UInt8>) -> Int? { firstExpGolomb(pps, skipBytes: 1) }

    /// Reads bits of an RBSP (a NAL payload with emulation-prevention bytes removed).
    struct BitReader {
        private var bytes: [UInt8]
        private var position = 0

        init(rbsp nal: [UInt8]) {
            var cleaned: [UInt8] = []
            cleaned.reserveCapacity(nal.count)
            var zeros = 0
            for byte in nal {
                if zeros >= 2 && byte == 3 { zeros = 0; continue }
                zeros = byte == 0 ? zeros + 1 : 0
                cleaned.append(byte)
            }
            bytes = cleaned
        }

        mutating func skip(bits: Int) { position += bits }

        mutating func bit() -> Int? {
            guard position / 8 < bytes.count else { return nil }
            let value = Int(bytes[position / 8] >> (7 - UInt8(position % 8))) & 1
            position += 1
            return value
        }

        mutating func unsignedExpGolomb() -> Int? {
            var leadingZeros = 0
            while true {
                guard let b = bit() else { return nil }
                if b == 1 { break }
                leadingZeros += 1
                if leadingZeros > 31 { return nil }
            }
            var value = 0
            for _ in 0..<leadingZeros {
                guard let b = bit() else { return nil }
                value = (value << 1) | b
            }
            return (1 << leadingZeros) - 1 + value
        }
    }
}

/// An `AVCDecoderConfigurationRecord` (`avcC`): profile, level, NAL length
/// size, and the parameter sets.
struct AVCConfiguration: Equatable {
    var profile: UInt8
    var profileCompatibility: UInt8
    var level: UInt8
    /// Bytes of each NAL unit's length prefix in samples (1, 2 or 4).
    var lengthSize: Int
    var sequenceParameterSets: [[UInt8]]
    var pictureParameterSets: [[UInt8]]
    /// The High-profile extension (chroma format, bit depths, SPS-ext), kept verbatim.
    var trailing: [UInt8]

    /// Parses an `avcC` record; nil when `bytes` is not one (e.g. Annex B extradata).
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 7, bytes[0] == 1 else { return nil }
        profile = bytes[1]
        profileCompatibility = bytes[2]
        level = bytes[3]
        lengthSize = Int(bytes[4] & 0x3) + 1
        var offset = 6
        func readSets(count: Int) -> [[UInt8]]? {
            var sets: [[UInt8]] = []
            for _ in 0..<count {
                guard offset + 2 <= bytes.count else { return nil }
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                offset += 2
                guard length > 0, offset + length <= bytes.count else { return nil }
                sets.append(Array(bytes[offset..<(offset + length)]))
                offset += length
            }
            return sets
        }
        guard let sps = readSets(count: Int(bytes[5] & 0x1F)) else { return nil }
        offset = 6 + sps.reduce(0) { $0 + 2 + $1.count }
        guard offset < bytes.count else { return nil }
        let ppsCount = Int(bytes[offset])
        offset += 1
        guard let pps = readSets(count: ppsCount) else { return nil }
        sequenceParameterSets = sps
        pictureParameterSets = pps
        trailing = Array(bytes[offset...])
        guard lengthSize != 3, !sps.isEmpty, !pps.isEmpty else { return nil }
    }

    /// The serialised record.
    var bytes: [UInt8] {
        var out: [UInt8] = [1, profile, profileCompatibility, level, 0xFC | UInt8(lengthSize - 1),
                            0xE0 | UInt8(sequenceParameterSets.count)]
        for set in sequenceParameterSets { out += [UInt8(set.count >> 8), UInt8(set.count & 0xFF)] + set }
        out.append(UInt8(pictureParameterSets.count))
        for set in pictureParameterSets { out += [UInt8(set.count >> 8), UInt8(set.count & 0xFF)] + set }
        return out + trailing
    }

    var sequenceParameterSetIDs: Set<Int> {
        Set(sequenceParameterSets.compactMap { H264Bitstream.sequenceParameterSetID($0[...]) })
    }
    var pictureParameterSetIDs: Set<Int> {
        Set(pictureParameterSets.compactMap { H264Bitstream.pictureParameterSetID($0[...]) })
    }
}
