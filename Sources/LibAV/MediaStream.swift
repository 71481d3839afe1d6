import CFFmpeg

/// A borrowed view of one stream of an ``InputFile`` (`AVStream`). It holds a
/// strong reference to the file, so the stream can never outlive its context.
public struct MediaStream {
    /// The file that owns the `AVStream`.
    public let owner: InputFile
    /// `AVStream.index`.
    public let index: Int

    var pointer: UnsafeMutablePointer<AVStream> { owner.streamPointer(index) }

    /// What the demuxer's index knows about this stream's packets (see ``InputFile/indexEntries(stream:)``).
    public var indexEntries: [IndexEntry] { owner.indexEntries(pointer) }

    /// A value copy of the codec parameters.
    public var parameters: CodecParameters { CodecParameters(pointer.pointee.codecpar) }
    public var kind: StreamKind { StreamKind(pointer.pointee.codecpar.pointee.codec_type) }
    /// The unit of this stream's timestamps.
    public var timeBase: Rational { Rational(pointer.pointee.time_base) }
    /// First presentation timestamp, nil when unknown.
    public var startTime: Int64? {
        let value = pointer.pointee.start_time
        return value == Timestamp.none ? nil : value
    }
    /// Duration in ``timeBase``, nil when unknown (on the continuous timeline of a file whose clock
    /// jumps, ``InputFile/timelineWasJoined``).
    public var duration: Int64? {
        if let joined = owner.joinedDuration(stream: index) { return joined }
        let value = pointer.pointee.duration
        return value == Timestamp.none || value <= 0 ? nil : value
    }
    /// Frame count the container states (`nb_frames`), nil when it states none.
    public var declaredFrameCount: Int64? { pointer.pointee.nb_frames > 0 ? pointer.pointee.nb_frames : nil }
    /// Average frame rate (`avg_frame_rate`).
    public var averageFrameRate: Rational { Rational(pointer.pointee.avg_frame_rate) }
    /// Base frame rate, the lowest rate that represents all timestamps exactly (`r_frame_rate`).
    public var realFrameRate: Rational { Rational(pointer.pointee.r_frame_rate) }
    /// MediaStream-level sample aspect ratio (may override the codec's).
    public var sampleAspectRatio: Rational { Rational(pointer.pointee.sample_aspect_ratio) }
    /// MediaStream metadata tags (language, handler, title, ...).
    public var metadata: [String: String] { OptionDictionary.read(pointer.pointee.metadata) }
    /// `AV_DISPOSITION_DEFAULT`.
    public var isDefault: Bool { pointer.pointee.disposition & AV_DISPOSITION_DEFAULT != 0 }
    /// `AV_DISPOSITION_ATTACHED_PIC`: cover art in an audio file, not a video track.
    public var isAttachedPicture: Bool { pointer.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 }

    /// The clockwise rotation from the stream's display matrix, 0 when none.
    public var rotation: Int {
        var size: Int = 0
        guard let data = av_stream_get_side_data(pointer, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else { return 0 }
        return data.withMemoryRebound(to: Int32.self, capacity: 9) { DisplayMatrix.clockwiseRotation($0) }
    }

    /// The raw display matrix (nine 16.16/2.30 fixed-point values), if any, to copy to an output.
    public var displayMatrix: [Int32]? {
        var size: Int = 0
        guard let data = av_stream_get_side_data(pointer, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else { return nil }
        return data.withMemoryRebound(to: Int32.self, capacity: 9) { Array(UnsafeBufferPointer(start: $0, count: 9)) }
    }

    /// A time in this stream's time base.
    public func timestamp(_ value: Int64) -> Timestamp { Timestamp(value, timeBase) }
}

@available(*, unavailable, message: "A MediaStream borrows an InputFile that must stay in one task.")
extension MediaStream: Sendable {}
