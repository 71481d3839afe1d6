import CFFmpeg

/// An owned `AVPacket` (`av_packet_alloc` / `av_packet_free`): one compressed
/// frame or chunk of a stream. Reused across reads; `unreference()` between uses.
public final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() throws(AVError) {
        pointer = try allocated(av_packet_alloc(), "av_packet_alloc")
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }

    /// The stream this packet belongs to.
    public var streamIndex: Int {
        get { Int(pointer.pointee.stream_index) }
        set { pointer.pointee.stream_index = Int32(newValue) }
    }
    /// Presentation timestamp in ``timeBase`` (or `Timestamp.none`).
    public var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }
    /// Decoding timestamp in ``timeBase`` (or `Timestamp.none`).
    public var dts: Int64 {
        get { pointer.pointee.dts }
        set { pointer.pointee.dts = newValue }
    }
    /// Duration in ``timeBase`` (0 when unknown).
    public var duration: Int64 {
        get { pointer.pointee.duration }
        set { pointer.pointee.duration = newValue }
    }
    /// Byte position in the input file, -1 when unknown.
    public var position: Int64 { pointer.pointee.pos }
    /// The time base of the timestamps (the stream's, as set by the demuxer).
    public var timeBase: Rational {
        get { Rational(pointer.pointee.time_base) }
        set { pointer.pointee.time_base = newValue.avRational }
    }
    /// `AV_PKT_FLAG_KEY`: decoding can start here.
    public var isKeyframe: Bool {
        get { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }
        set {
            if newValue { pointer.pointee.flags |= AV_PKT_FLAG_KEY } else { pointer.pointee.flags &= ~AV_PKT_FLAG_KEY }
        }
    }
    /// `AV_PKT_FLAG_DISCARD`: the demuxer says the decoded frame is to be dropped (edit-list pre-roll).
    public var isDiscard: Bool { pointer.pointee.flags & AV_PKT_FLAG_DISCARD != 0 }
    /// `AV_PKT_FLAG_CORRUPT`.
    public var isCorrupt: Bool { pointer.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 }
    /// Size of the payload in bytes.
    public var size: Int { Int(pointer.pointee.size) }

    /// Copies out the payload (for small packets such as an encoded JPEG).
    public var data: [UInt8] {
        guard let bytes = pointer.pointee.data, pointer.pointee.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(pointer.pointee.size)))
    }

    /// Reads the payload without copying; the buffer is valid only inside `body`.
    public func withUnsafeData<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let bytes = pointer.pointee.data, pointer.pointee.size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: bytes, count: Int(pointer.pointee.size)))
    }

    /// Converts all timestamps from one time base to another (`av_packet_rescale_ts`).
    public func rescaleTimestamps(from source: Rational, to destination: Rational) {
        av_packet_rescale_ts(pointer, source.avRational, destination.avRational)
        pointer.pointee.time_base = destination.avRational
    }

    /// Releases the payload so the packet can be reused (`av_packet_unref`).
    public func unreference() { av_packet_unref(pointer) }

    /// Makes this packet a new reference to `other`'s payload and properties (`av_packet_ref`).
    public func reference(_ other: Packet) throws(AVError) {
        av_packet_unref(pointer)
        try check(av_packet_ref(pointer, other.pointer), "av_packet_ref")
    }

    /// A new packet referencing the same payload (`av_packet_clone`).
    public func clone() throws(AVError) -> Packet {
        let copy = try Packet()
        try copy.reference(self)
        return copy
    }

    /// Moves the payload and properties of `other` into this packet, leaving `other` empty.
    public func moveReference(from other: Packet) {
        av_packet_unref(pointer)
        av_packet_move_ref(pointer, other.pointer)
    }
}

@available(*, unavailable, message: "A Packet owns a libav object that must stay in one task.")
extension Packet: Sendable {}
