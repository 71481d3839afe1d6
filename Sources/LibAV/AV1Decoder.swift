import CDav1d
import CFFmpeg

/// dav1d, the AV1 decoder libavcodec itself uses, driven directly for the
/// analysis pass: ``FrameReader`` decodes AV1 with it when asked to skip the
/// loop filter (``DecoderOptions/skipLoopFilter``).
///
/// Why not through libavcodec: FFmpeg 5.1's dav1d wrapper has no setting for
/// dav1d's in-loop filters (deblocking, CDEF, loop restoration) and ignores
/// `skip_loop_filter`, so every AV1 picture was filtered for a tiny analysis
/// picture that filtering does not change. Film grain, noise laid over the
/// picture after decoding, is not applied either. With everything on, the
/// pictures are the wrapper's own, bit for bit (the same library; the tests
/// check it).
///
/// The pictures are dav1d's, lent without a copy: each frame handed out holds
/// dav1d's reference to its picture, released when the frame lets go.
public final class AV1Decoder: FrameDecoding {
    private let context: OpaquePointer
    private let sampleAspectRatio: AVRational
    private var keyframesOnly: Bool
    /// A packet dav1d could not take yet (it had pictures to give out first).
    private var waiting = Dav1dData()
    /// Whether a picture was asked for since data was last sent: asking twice in a row tells
    /// dav1d the input has ended (it then waits for every frame in flight, one by one).
    private var askedSinceSend = false
    private var ended = false

    /// Whether this decoder takes `stream`: AV1 in a pixel format dav1d gives (or one left unknown).
    public static func decodes(_ stream: MediaStream) -> Bool {
        stream.isPlanar(AV_CODEC_ID_AV1)
    }

    /// - Parameters:
    ///   - options: ``DecoderOptions/threadCount`` threads (0: one per core);
    ///     ``DecoderOptions/skipLoopFilter`` skips the in-loop filters and film grain;
    ///     ``DecoderOptions/keyframesOnly`` as for libavcodec.
    public init(stream: MediaStream, options: DecoderOptions = DecoderOptions()) throws(AVError) {
        var settings = Dav1dSettings()
        dav1d_default_settings(&settings)
        pixsim_dav1d_log_to_libav(&settings)
        settings.n_threads = Int32(options.libraryThreads)
        // One picture per frame of a scalable stream, its best layer, as FFmpeg's wrapper asks (dav1d's
        // default gives every spatial layer).
        settings.all_layers = 0
        if options.skipLoopFilter {
            settings.inloop_filters = DAV1D_INLOOPFILTER_NONE
            settings.apply_grain = 0
        }
        var opened: OpaquePointer?
        let status = dav1d_open(&opened, &settings)
        guard status == 0, let opened else { throw Self.error(status, "dav1d_open") }
        context = opened
        sampleAspectRatio = stream.pointer.pointee.codecpar.pointee.sample_aspect_ratio
        keyframesOnly = options.keyframesOnly
    }

    deinit {
        dav1d_data_unref(&waiting)
        var opened: OpaquePointer? = context
        dav1d_close(&opened)
    }

    public var codecName: String { "dav1d" }

    public func send(_ packet: Packet) throws(AVError) -> SendResult {
        if waiting.sz > 0 { return .full }
        if keyframesOnly && !packet.isKeyframe { return .accepted }
        let size = Int(packet.pointer.pointee.size)
        guard let source = packet.pointer.pointee.data, size > 0 else { return .accepted }
        guard let destination = dav1d_data_create(&waiting, size) else {
            throw AVError(code: AVError.outOfMemoryCode, operation: "dav1d_data_create")
        }
        destination.update(from: source, count: size)
        waiting.m.timestamp = packet.pts != Timestamp.none ? packet.pts : packet.dts
        waiting.m.duration = packet.duration
        waiting.m.offset = packet.position
        try offerWaiting()
        return .accepted
    }

    /// Hands dav1d the waiting packet; it stays waiting when dav1d wants pictures taken first.
    private func offerWaiting() throws(AVError) {
        let status = dav1d_send_data(context, &waiting)
        askedSinceSend = false
        guard status == 0 || status == pixsim_dav1d_again() else {
            dav1d_data_unref(&waiting)
            throw Self.error(status, "dav1d_send_data")
        }
    }

    public func sendEndOfStream() throws(AVError) { ended = true }

    public func receive(into frame: Frame) throws(AVError) -> ReceiveResult {
        if waiting.sz > 0 { try offerWaiting() }
        // Mid-stream, a second request without new data would drain dav1d's frame threads.
        if askedSinceSend && !ended && waiting.sz == 0 { return .needsInput }
        var picture = Dav1dPicture()
        let drains = askedSinceSend
        var status = dav1d_get_picture(context, &picture)
        askedSinceSend = true
        if status == pixsim_dav1d_again() && ended && waiting.sz == 0 && !drains {
            // The input has ended: the request after this one makes dav1d finish the frames in flight.
            status = dav1d_get_picture(context, &picture)
        }
        if status == pixsim_dav1d_again() {
            // With the input ended and nothing waiting, dav1d has given every picture.
            return ended && waiting.sz == 0 ? .endOfStream : .needsInput
        }
        guard status == 0 else { throw Self.error(status, "dav1d_get_picture") }
        try frame.adopt(lend(picture))
        return .frame
    }

    /// The picture as a frame's buffer: freeing the buffer gives the picture back to dav1d.
    private func lend(_ picture: Dav1dPicture) throws(AVError) -> LentPicture {
        var picture = picture
        let layout: PlanarFormats.Layout? = switch picture.p.layout {
        case DAV1D_PIXEL_LAYOUT_I400: .gray
        case DAV1D_PIXEL_LAYOUT_I420: .yuv420
        case DAV1D_PIXEL_LAYOUT_I422: .yuv422
        case DAV1D_PIXEL_LAYOUT_I444: .yuv444
        default: nil
        }
        guard let layout, let format = PlanarFormats.format(layout, depth: Int(picture.p.bpc)) else {
            dav1d_picture_unref(&picture)
            throw AVError(code: AVError.notImplementedCode, operation: "dav1d_get_picture",
                          message: "dav1d gave a picture format this program does not read (layout \(picture.p.layout.rawValue), \(picture.p.bpc) bits)")
        }
        let held = UnsafeMutablePointer<Dav1dPicture>.allocate(capacity: 1)
        held.initialize(to: picture)
        guard let buffer = av_buffer_create(UnsafeMutableRawPointer(held).assumingMemoryBound(to: UInt8.self),
                                            MemoryLayout<Dav1dPicture>.size, { opaque, _ in
                                                guard let held = opaque?.assumingMemoryBound(to: Dav1dPicture.self) else { return }
                                                dav1d_picture_unref(held)
                                                held.deallocate()
                                            }, UnsafeMutableRawPointer(held), Int32(AV_BUFFER_FLAG_READONLY)) else {
            dav1d_picture_unref(held)
            held.deallocate()
            throw AVError(code: AVError.outOfMemoryCode, operation: "av_buffer_create")
        }
        let planes = layout == .gray ? 1 : 3
        let key = picture.frame_hdr?.pointee.frame_type == DAV1D_FRAME_TYPE_KEY
        let intra = key || picture.frame_hdr?.pointee.frame_type == DAV1D_FRAME_TYPE_INTRA
        return LentPicture(
            buffer: buffer, format: format, width: picture.p.w, height: picture.p.h,
            planes: (0..<planes).map { picture.data($0) },
            lineSizes: (0..<planes).map { Int32($0 == 0 ? picture.stride.0 : picture.stride.1) },
            fullRange: (picture.seq_hdr?.pointee.color_range ?? 0) != 0,
            colorSpace: AVColorSpace(rawValue: picture.seq_hdr?.pointee.mtrx.rawValue ?? AVCOL_SPC_UNSPECIFIED.rawValue),
            sampleAspectRatio: sampleAspectRatio, isKeyframe: key,
            pictureType: intra ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_P,
            pts: picture.m.timestamp, dts: Timestamp.none, duration: picture.m.duration, position: picture.m.offset)
    }

    public func flush() {
        dav1d_data_unref(&waiting)
        dav1d_flush(context)
        askedSinceSend = false
        ended = false
    }

    public func setKeyframesOnly(_ keyframesOnly: Bool) { self.keyframesOnly = keyframesOnly }

    /// dav1d's error (a negated errno) as libav's: invalid data for what a damaged stream gives.
    private static func error(_ status: Int32, _ operation: String) -> AVError {
        if status == pixsim_dav1d_no_memory() { return AVError(code: AVError.outOfMemoryCode, operation: operation) }
        // dav1d says EINVAL of a stream it cannot decode (FFmpeg's wrapper reads it so too).
        return AVError(code: AVError.invalidDataCode, operation: operation,
                       message: "\(AVError.describe(AVError.invalidDataCode)) (dav1d: \(AVError.describe(status)))")
    }
}

@available(*, unavailable, message: "An AV1Decoder owns a dav1d decoder that must stay in one task.")
extension AV1Decoder: Sendable {}

private extension Dav1dPicture {
    /// `data[plane]`: C arrays import as tuples.
    func data(_ plane: Int) -> UnsafeMutablePointer<UInt8>? {
        let pointer = switch plane { case 0: data.0; case 1: data.1; default: data.2 }
        return pointer?.assumingMemoryBound(to: UInt8.self)
    }
}
