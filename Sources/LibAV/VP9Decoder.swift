import CFFmpeg
import CVPX

/// libvpx's VP9 decoder behind libavcodec's decoding contract, for the
/// analysis pass: ``FrameReader`` decodes VP9 with it when asked to skip the
/// loop filter (``DecoderOptions/skipLoopFilter``).
///
/// Why another library: libavcodec's VP9 decoder ignores `skip_loop_filter`
/// and threads by frames, which a stream whose frames each wait on the last
/// barely overlaps (about 1.3 cores busy on the benchmark's 720p shot, however
/// many threads); on those files the analysis is the decode. libvpx skips the
/// filter on request (`VP9_SET_SKIP_LOOP_FILTER`) and splits each frame's rows
/// over its threads (`VP9D_SET_ROW_MT`). The analysis picture is tiny, and
/// deblocking changes nothing in it, as with H.264. With the filter on, both
/// decoders give the same pictures, bit for bit (the tests check it).
///
/// The pictures are libvpx's own, lent without a copy: libvpx decodes into
/// buffers taken from a libavutil buffer pool (external frame buffers), and
/// each frame handed out holds a reference to its buffer, so it stays valid
/// after the next decode, as libavcodec's frames do.
public final class VP9Decoder: FrameDecoding {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    private let buffers = FrameBufferPool()
    private let threads: Int
    private let skipLoopFilter: Bool
    private let sampleAspectRatio: AVRational
    private var keyframesOnly: Bool
    /// The picture the last packet gave, with that packet's timing, until it is received.
    private var pending: (image: UnsafeMutablePointer<vpx_image_t>, pts: Int64, dts: Int64, duration: Int64, position: Int64, key: Bool)?
    private var ended = false
    /// Why starting afresh after a seek failed (no memory): every later packet fails with it.
    private var reopeningFailure: AVError?

    /// Whether this decoder takes `stream`: VP9 in a pixel format libvpx gives
    /// (or one the headers left unknown).
    public static func decodes(_ stream: MediaStream) -> Bool {
        stream.isPlanar(AV_CODEC_ID_VP9)
    }

    /// - Parameters:
    ///   - options: ``DecoderOptions/threadCount`` threads (0: one per core), rows in parallel when more
    ///     than one; ``DecoderOptions/skipLoopFilter`` and ``DecoderOptions/keyframesOnly`` as for libavcodec.
    public init(stream: MediaStream, options: DecoderOptions = DecoderOptions()) throws(AVError) {
        threads = options.libraryThreads
        skipLoopFilter = options.skipLoopFilter
        keyframesOnly = options.keyframesOnly
        sampleAspectRatio = stream.pointer.pointee.codecpar.pointee.sample_aspect_ratio
        context = .allocate(capacity: 1)
        context.initialize(to: vpx_codec_ctx_t())
        do { try open() } catch {
            context.deallocate()
            throw error
        }
    }

    deinit {
        pending = nil
        vpx_codec_destroy(context)
        context.deallocate()
    }

    public var codecName: String { "libvpx-vp9" }

    /// Starts libvpx's decoder with this decoder's settings and buffers.
    private func open() throws(AVError) {
        try checked(pixsim_vpx_vp9_init(context, UInt32(threads)), "vpx_codec_dec_init")
        do {
            try checked(vpx_codec_set_frame_buffer_functions(context, { cookie, size, buffer in
                guard let cookie, let buffer else { return -1 }
                return Unmanaged<FrameBufferPool>.fromOpaque(cookie).takeUnretainedValue().lend(size, into: buffer)
            }, { _, buffer in
                FrameBufferPool.takeBack(buffer)
                return 0
            }, Unmanaged.passUnretained(buffers).toOpaque()), "vpx_codec_set_frame_buffer_functions")
            try checked(pixsim_vpx_skip_loop_filter(context, skipLoopFilter ? 1 : 0), "VP9_SET_SKIP_LOOP_FILTER")
            try checked(pixsim_vpx_row_threads(context, threads > 1 ? 1 : 0), "VP9D_SET_ROW_MT")
        } catch {
            vpx_codec_destroy(context)
            throw error
        }
    }

    public func send(_ packet: Packet) throws(AVError) -> SendResult {
        if let reopeningFailure { throw reopeningFailure }
        if pending != nil { return .full }
        if keyframesOnly && !packet.isKeyframe { return .accepted }
        let data = packet.pointer.pointee.data
        let size = packet.pointer.pointee.size
        guard let data, size > 0 else { return .accepted }
        try checked(vpx_codec_decode(context, data, UInt32(size), nil, 0), "vpx_codec_decode")
        // A VP9 packet shows at most one picture (a superframe's hidden pictures are not given out).
        var iterator: vpx_codec_iter_t?
        if let image = vpx_codec_get_frame(context, &iterator) {
            pending = (image, packet.pts, packet.dts, packet.duration, packet.position, packet.isKeyframe)
        }
        return .accepted
    }

    /// libvpx decodes each packet as it is sent: nothing is buffered to drain.
    public func sendEndOfStream() throws(AVError) { ended = true }

    public func receive(into frame: Frame) throws(AVError) -> ReceiveResult {
        guard let picture = pending else { return ended ? .endOfStream : .needsInput }
        pending = nil
        let image = picture.image.pointee
        let isHighDepth = image.fmt.rawValue & UInt32(VPX_IMG_FMT_HIGHBITDEPTH) != 0
        guard let layout = Self.layouts[image.fmt.rawValue & ~UInt32(VPX_IMG_FMT_HIGHBITDEPTH)],
              let format = PlanarFormats.format(layout, depth: isHighDepth ? Int(image.bit_depth) : 8) else {
            throw AVError(code: AVError.notImplementedCode, operation: "vpx_codec_get_frame",
                          message: "libvpx gave a picture format this program does not read (\(image.fmt.rawValue), \(image.bit_depth) bits)")
        }
        guard let lent = image.fb_priv?.assumingMemoryBound(to: AVBufferRef.self),
              let reference = av_buffer_ref(lent) else {
            throw AVError(code: AVError.outOfMemoryCode, operation: "av_buffer_ref")
        }
        frame.adopt(LentPicture(
            buffer: reference, format: format, width: Int32(image.d_w), height: Int32(image.d_h),
            planes: [image.planes.0, image.planes.1, image.planes.2], lineSizes: [image.stride.0, image.stride.1, image.stride.2],
            fullRange: image.range == VPX_CR_FULL_RANGE, colorSpace: Self.colorSpace(image.cs), sampleAspectRatio: sampleAspectRatio,
            isKeyframe: picture.key, pictureType: picture.key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_P,
            pts: picture.pts, dts: picture.dts, duration: picture.duration, position: picture.position))
        return .frame
    }

    /// After a seek: libvpx has no flush, and would predict the next pictures from the references of
    /// the old position, so the decoder is started afresh (its buffers stay pooled).
    public func flush() {
        pending = nil
        ended = false
        reopeningFailure = nil
        vpx_codec_destroy(context)
        context.initialize(to: vpx_codec_ctx_t())
        // Opening again with settings that opened before fails only without memory: the next send says so.
        do { try open() } catch { reopeningFailure = error }
    }

    public func setKeyframesOnly(_ keyframesOnly: Bool) { self.keyframesOnly = keyframesOnly }

    /// Throws libvpx's own message for a failed call, as libav's errors carry libav's.
    private func checked(_ status: vpx_codec_err_t, _ operation: String) throws(AVError) {
        guard status != VPX_CODEC_OK else { return }
        var message = String(cString: vpx_codec_err_to_string(status))
        if let detail = vpx_codec_error_detail(context) { message += ": " + String(cString: detail) }
        let code: Int32 = switch status {
        case VPX_CODEC_MEM_ERROR: AVError.outOfMemoryCode
        case VPX_CODEC_INVALID_PARAM: AVError.invalidArgumentCode
        case VPX_CODEC_UNSUP_FEATURE, VPX_CODEC_INCAPABLE: AVError.notImplementedCode
        case VPX_CODEC_UNSUP_BITSTREAM, VPX_CODEC_CORRUPT_FRAME, VPX_CODEC_ERROR: AVError.invalidDataCode
        default: AVError.externalLibraryCode
        }
        throw AVError(code: code, operation: operation, message: "libvpx: \(message)")
    }

    /// libvpx's planar formats (their 8-bit value; the deeper ones add `VPX_IMG_FMT_HIGHBITDEPTH`).
    private static let layouts: [UInt32: PlanarFormats.Layout] = [
        VPX_IMG_FMT_I420.rawValue: .yuv420, VPX_IMG_FMT_I422.rawValue: .yuv422,
        VPX_IMG_FMT_I444.rawValue: .yuv444, VPX_IMG_FMT_I440.rawValue: .yuv440,
    ]

    /// The colour matrix a VP9 header names, as libavcodec's VP9 decoder tags it.
    private static func colorSpace(_ space: vpx_color_space_t) -> AVColorSpace {
        switch space {
        case VPX_CS_BT_601: AVCOL_SPC_BT470BG
        case VPX_CS_BT_709: AVCOL_SPC_BT709
        case VPX_CS_SMPTE_170: AVCOL_SPC_SMPTE170M
        case VPX_CS_SMPTE_240: AVCOL_SPC_SMPTE240M
        case VPX_CS_BT_2020: AVCOL_SPC_BT2020_NCL
        case VPX_CS_SRGB: AVCOL_SPC_RGB
        default: AVCOL_SPC_UNSPECIFIED
        }
    }
}

@available(*, unavailable, message: "A VP9Decoder owns a libvpx decoder that must stay in one task.")
extension VP9Decoder: Sendable {}

/// The buffers libvpx decodes into: a libavutil pool of zeroed buffers (libvpx asks for zeroed
/// memory), grown when a picture needs more. Each buffer lent to libvpx is a reference libvpx gives
/// back when it no longer predicts from it; frames handed out hold references of their own.
private final class FrameBufferPool {
    private var pool: OpaquePointer?
    private var size = 0

    deinit {
        // Buffers still held by frames outlive the pool: libavutil frees it when the last comes back.
        av_buffer_pool_uninit(&pool)
    }

    /// Lends libvpx a buffer of at least `minimum` bytes; 0, or -1 without memory.
    /// libvpx asks from the thread that called `vpx_codec_decode`, one request at a time.
    func lend(_ minimum: Int, into buffer: UnsafeMutablePointer<vpx_codec_frame_buffer_t>) -> Int32 {
        if minimum > size || pool == nil {
            av_buffer_pool_uninit(&pool)
            pool = av_buffer_pool_init(minimum, av_buffer_allocz)
            size = pool == nil ? 0 : minimum
        }
        guard let reference = av_buffer_pool_get(pool) else { return -1 }
        buffer.pointee.data = reference.pointee.data
        buffer.pointee.size = size
        buffer.pointee.priv = UnsafeMutableRawPointer(reference)
        return 0
    }

    /// libvpx gives a buffer back.
    static func takeBack(_ buffer: UnsafeMutablePointer<vpx_codec_frame_buffer_t>?) {
        guard let buffer, let lent = buffer.pointee.priv else { return }
        var reference: UnsafeMutablePointer<AVBufferRef>? = lent.assumingMemoryBound(to: AVBufferRef.self)
        av_buffer_unref(&reference)
        buffer.pointee.priv = nil
    }
}
