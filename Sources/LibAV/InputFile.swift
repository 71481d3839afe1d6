import CFFmpeg

/// An open media file for reading: an owned demuxer context
/// (`avformat_open_input` / `avformat_close_input`).
///
/// ```swift
/// let input = try InputFile(path: "clip.mp4")
/// try input.findStreamInfo()
/// let packet = try Packet()
/// while try input.read(into: packet) == .packet { ...; packet.unreference() }
/// ```
///
/// Not `Sendable`: one task opens it, reads it and lets it go.
public final class InputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    /// The path it was opened from, for error messages.
    public let path: String
    /// The shifts that make the timeline continuous, for a file whose clock jumps (nil for others).
    private var continuity: TimestampContinuity?

    /// Opens `path` and reads the container header.
    /// - Parameters:
    ///   - path: a file path or anything libav's protocols accept.
    ///   - options: demuxer and protocol options (`AVDictionary`), e.g. `["probesize": "5000000"]`.
    /// - Throws: ``AVError`` with libav's reason (no such file, invalid data, ...).
    public init(path: String, options: [String: String] = [:]) throws(AVError) {
        LibAVLog.useDefaultsUnlessInstalled()
        self.path = path
        var dictionary = OptionDictionary(options)
        defer { dictionary.free() }
        var contextPointer: UnsafeMutablePointer<AVFormatContext>? = nil
        // avformat_open_input frees the context itself when it fails.
        try check(avformat_open_input(&contextPointer, path, nil, &dictionary.pointer), "avformat_open_input")
        context = try allocated(contextPointer, "avformat_open_input")
        if let io = context.pointee.pb, io.pointee.seekable & AVIO_SEEKABLE_NORMAL != 0,
           let scanned = TimestampContinuity.scan(context), scanned.jumped {
            continuity = scanned
        }
    }

    /// Whether the file's own clock jumps (MPEG-TS or PS joined from parts, restarted mid-file)
    /// and its timestamps are read shifted onto one continuous timeline (``TimestampContinuity``).
    public var timelineWasJoined: Bool { continuity != nil }

    deinit {
        var p: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&p)
    }

    /// Reads a little of each stream to fill in what the header lacks
    /// (`avformat_find_stream_info`). Decoders opened for it run single-threaded
    /// (`threads=1`), which is much cheaper for one frame than starting a pool.
    public func findStreamInfo() throws(AVError) {
        let count = Int(context.pointee.nb_streams)
        // libav replaces each dictionary with one of the options it did not use,
        // so free what the array holds after the call, not what was passed in.
        var perStream: [OpaquePointer?] = (0..<count).map { _ in OptionDictionary(["threads": "1"]).pointer }
        defer { for index in perStream.indices { av_dict_free(&perStream[index]) } }
        try check(avformat_find_stream_info(context, &perStream), "avformat_find_stream_info")
    }

    // MARK: Container

    /// The demuxer's short name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var formatName: String { String(cString: context.pointee.iformat.pointee.name) }
    /// Whether libav only guessed the container: its probe scored the data at or below the point where
    /// it warns "misdetection possible" (`AVPROBE_SCORE_RETRY`, 25 of 100). Random bytes are read as an
    /// LRC lyrics file at 5 now and then.
    public var formatWasGuessed: Bool { context.pointee.probe_score <= AVPROBE_SCORE_MAX / 4 }
    /// The demuxer's long name.
    public var formatLongName: String {
        guard let name = context.pointee.iformat.pointee.long_name else { return formatName }
        return String(cString: name)
    }
    /// MIME types the demuxer declares, if any (comma separated).
    public var formatMIMEType: String? {
        guard let mime = context.pointee.iformat.pointee.mime_type else { return nil }
        return String(cString: mime)
    }
    /// Container duration in microseconds, nil when unknown (on the continuous
    /// timeline for a file whose clock jumps: libav's duration is then that of its longest part).
    public var duration: Int64? {
        if let end = continuity?.endMicroseconds { return end - (startTime ?? 0) }
        let value = context.pointee.duration
        return value == Timestamp.none || value < 0 ? nil : value
    }
    /// Container start time in microseconds, nil when unknown.
    public var startTime: Int64? {
        let value = context.pointee.start_time
        return value == Timestamp.none ? nil : value
    }
    /// Total bit rate in bits per second, nil when unknown: also for a file whose clock jumps, as
    /// libav works out a transport stream's from its longest part's duration (the probe then
    /// divides the size by the whole ``duration``, as for any file that states no rate).
    public var bitRate: Int64? {
        continuity == nil && context.pointee.bit_rate > 0 ? context.pointee.bit_rate : nil
    }
    /// Container-level metadata tags.
    public var metadata: [String: String] { OptionDictionary.read(context.pointee.metadata) }
    /// Size of the underlying file in bytes, if the I/O layer knows it.
    public var fileSize: Int64? {
        guard let io = context.pointee.pb else { return nil }
        let size = avio_size(io)
        return size >= 0 ? size : nil
    }

    // MARK: Streams

    /// The streams, as views that keep this file open.
    public var streams: [MediaStream] { (0..<Int(context.pointee.nb_streams)).map { MediaStream(owner: self, index: $0) } }

    /// The stream libav considers best of a kind (`av_find_best_stream`), skipping attached pictures.
    public func bestStream(_ kind: StreamKind) -> MediaStream? {
        let index = av_find_best_stream(context, kind.avValue, -1, -1, nil, 0)
        guard index >= 0 else { return nil }
        let stream = MediaStream(owner: self, index: Int(index))
        if stream.isAttachedPicture {
            return streams.first { $0.kind == kind && !$0.isAttachedPicture }
        }
        return stream
    }

    /// The stream numbered `index`, checked: for stream numbers that come from
    /// a caller's bookkeeping rather than from ``streams``.
    /// - Throws: ``AVError`` (invalid argument) when the file has no such stream.
    public func stream(at index: Int) throws(AVError) -> MediaStream {
        let count = Int(context.pointee.nb_streams)
        guard index >= 0, index < count else {
            throw AVError(code: AVError.invalidArgumentCode, operation: "stream",
                          message: "no stream \(index) (the file has \(count))")
        }
        return MediaStream(owner: self, index: index)
    }

    /// The `AVStream` of a valid index. A ``MediaStream`` is only made for
    /// `0..<nb_streams` (by ``streams``, ``bestStream(_:)`` and ``stream(at:)``;
    /// a demuxer never removes streams) and packets carry the demuxer's own
    /// numbers, so an index out of range here is a bug in LibAV, not bad input.
    func streamPointer(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        precondition(index >= 0 && index < Int(context.pointee.nb_streams), "stream \(index) out of range")
        return context.pointee.streams[index]!
    }

    /// Tells the demuxer which streams are wanted: the others are skipped
    /// (`AVDISCARD_ALL`) as early as the container allows.
    public func selectStreams(_ indices: Set<Int>) {
        for index in 0..<Int(context.pointee.nb_streams) {
            streamPointer(index).pointee.discard = indices.contains(index) ? AVDISCARD_DEFAULT : AVDISCARD_ALL
        }
    }

    // MARK: Reading

    /// Reads the next packet (`av_read_frame`).
    /// - Returns: `.packet` with `packet` filled, or `.endOfFile`.
    /// - Throws: ``AVError`` for a read or demux failure other than the end.
    public func read(into packet: Packet) throws(AVError) -> ReadResult {
        while true {
            let code = av_read_frame(context, packet.pointer)
            if code == AVError.endOfFileCode { return .endOfFile }
            try check(code, "av_read_frame")
            // Straight from the AVStream: building the `streams` array for every packet is a hot-path waste.
            let stream = streamPointer(packet.streamIndex)
            packet.timeBase = Rational(stream.pointee.time_base)
            guard let continuity else { return .packet }
            if continuity.shift(packet.pointer, isSound: stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO) {
                return .packet
            }
            packet.unreference()
        }
    }

    /// Seeks so that the next packets of `stream` start at the keyframe at or
    /// before `timestamp` (in the stream's time base), the way players seek
    /// (`avformat_seek_file` with `max_ts = timestamp`).
    public func seek(stream: Int, toKeyframeBefore timestamp: Int64) throws(AVError) {
        if let position = continuity?.keyframePosition(stream: stream, for: timestamp, nearest: false) {
            return try seek(toByte: position)
        }
        continuity?.forgetReadTimes()
        try check(avformat_seek_file(context, Int32(stream), Int64.min, timestamp, timestamp, 0), "avformat_seek_file")
    }

    /// Seeks so that the next packets of `stream` start at the keyframe nearest
    /// `timestamp`, before or after it (`avformat_seek_file` with any `max_ts`): to
    /// the first keyframe of a stream whose start is not known yet (a file opened
    /// without stream info, whose video starts after 0, has no keyframe before 0).
    public func seek(stream: Int, toKeyframeNear timestamp: Int64) throws(AVError) {
        if let position = continuity?.keyframePosition(stream: stream, for: timestamp, nearest: true) {
            return try seek(toByte: position)
        }
        continuity?.forgetReadTimes()
        try check(avformat_seek_file(context, Int32(stream), Int64.min, timestamp, Int64.max, 0), "avformat_seek_file")
    }

    /// Goes to a byte position (`AVSEEK_FLAG_BYTE`): where the scan of a file whose clock
    /// jumps found the keyframe, since a search by time cannot tell the parts apart.
    func seek(toByte position: Int64) throws(AVError) {
        continuity?.forgetReadTimes()
        try check(avformat_seek_file(context, -1, position, position, position, AVSEEK_FLAG_BYTE), "avformat_seek_file")
    }

    /// What the demuxer's index knows about `stream`'s packets without reading
    /// them (`avformat_index_get_entry`): complete for MP4/MOV, partial or empty
    /// for containers that index as they go.
    /// - Throws: ``AVError`` when the file has no stream `stream`.
    public func indexEntries(stream: Int) throws(AVError) -> [IndexEntry] {
        try self.stream(at: stream).indexEntries
    }

    func indexEntries(_ st: UnsafeMutablePointer<AVStream>) -> [IndexEntry] {
        let count = Int(avformat_index_get_entries_count(st))
        var entries: [IndexEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = avformat_index_get_entry(st, Int32(index)) else { continue }
            var indexed = IndexEntry(entry.pointee)
            if let continuity, indexed.timestamp != Timestamp.none {
                indexed.timestamp += continuity.offset(stream: Int(st.pointee.index), at: indexed.position, timeBase: st.pointee.time_base)
            }
            entries.append(indexed)
        }
        return entries
    }

    /// A stream's duration on the continuous timeline, for a file whose clock jumps (else nil).
    func joinedDuration(stream index: Int) -> Int64? {
        continuity?.duration(stream: index)
    }

    /// Number of entries in `stream`'s index, without copying them.
    /// - Throws: ``AVError`` when the file has no stream `stream`.
    public func indexEntryCount(stream: Int) throws(AVError) -> Int {
        Int(avformat_index_get_entries_count(try self.stream(at: stream).pointer))
    }
}

@available(*, unavailable, message: "An InputFile owns a libav context that must stay in one task.")
extension InputFile: Sendable {}

/// The outcome of reading a packet.
public enum ReadResult: Sendable, Equatable {
    /// A packet was read.
    case packet
    /// No more packets: a state, not an error.
    case endOfFile
}

/// One entry of a demuxer's index (`AVIndexEntry`).
public struct IndexEntry: Sendable, Hashable {
    /// Decoding timestamp in the stream's time base.
    public var timestamp: Int64
    public var position: Int64
    public var size: Int
    public var isKeyframe: Bool
    /// `AVINDEX_DISCARD_FRAME`: an edit-list pre-roll sample, decoded but not shown.
    public var isDiscard: Bool

    /// An entry for a packet read from the file, where the demuxer's own index lists too little
    /// (a Matroska file written without cues).
    public init(timestamp: Int64, position: Int64, size: Int, isKeyframe: Bool, isDiscard: Bool = false) {
        self.timestamp = timestamp
        self.position = position
        self.size = size
        self.isKeyframe = isKeyframe
        self.isDiscard = isDiscard
    }

    init(_ entry: AVIndexEntry) {
        timestamp = entry.timestamp
        position = entry.pos
        size = Int(entry.size & 0x3FFF_FFFF)
        isKeyframe = entry.flags & AVINDEX_KEYFRAME != 0
        isDiscard = entry.flags & AVINDEX_DISCARD_FRAME != 0
    }
}
