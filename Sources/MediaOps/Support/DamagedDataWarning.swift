/// The warning a command gives when it went past damaged data (``DamageTolerance``: packets the decoder
/// rejected, or a read that failed and ended the input), in one wording for every command, so that a
/// caller reading `warnings` knows the output may lack frames or sound the file claims.
enum DamagedDataWarning {
    /// The warning for `count` packets skipped; nil when none were. `path` names the input when a
    /// command reads several (a join).
    static func packetsSkipped(_ count: Int, in path: String? = nil) -> String? {
        guard count > 0 else { return nil }
        let packets = count == 1 ? "1 damaged packet" : "\(count) damaged packets"
        let input = path.map { "\($0): " } ?? ""
        return "\(input)damaged data: \(packets) skipped (rejected by the decoder, or unreadable)"
    }
}

/// Damaged packets skipped, per input, for a command that reads several inputs, or one input
/// several times (a timeline decodes an item's picture and its sound apart): one warning per input,
/// in the order the inputs were first met.
struct DamageTally {
    private var counts: [(path: String, packets: Int)] = []

    mutating func add(_ packets: Int, in path: String) {
        guard packets > 0 else { return }
        if let index = counts.firstIndex(where: { $0.path == path }) {
            counts[index].packets += packets
        } else {
            counts.append((path, packets))
        }
    }

    var warnings: [String] { counts.compactMap { DamagedDataWarning.packetsSkipped($0.packets, in: $0.path) } }
}
