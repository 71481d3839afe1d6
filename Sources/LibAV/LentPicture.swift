import CFFmpeg

/// A picture another decoding library made (libvpx's, dav1d's), with the
/// packet timing it came with, to be handed out as an `AVFrame`
/// (``Frame/adopt(_:)``) the way libavcodec hands out its own: the frame holds
/// a reference to the library's buffer (`buffer`) instead of a copy.
struct LentPicture {
    /// The reference the frame takes over: freeing it gives the picture back to its library.
    var buffer: UnsafeMutablePointer<AVBufferRef>
    var format: Int32
    var width: Int32
    var height: Int32
    /// Up to three planes (luma, then chroma; one for monochrome) and their line sizes.
    var planes: [UnsafeMutablePointer<UInt8>?]
    var lineSizes: [Int32]
    var fullRange: Bool
    var colorSpace: AVColorSpace
    var sampleAspectRatio: AVRational
    var isKeyframe: Bool
    var pictureType: AVPictureType
    /// The timing of the packet the picture came from, in the stream's time base.
    var pts: Int64
    var dts: Int64
    var duration: Int64
    var position: Int64
}

extension Frame {
    /// Makes this frame the lent picture, taking over its buffer reference.
    func adopt(_ picture: LentPicture) {
        unreference()
        let frame = pointer
        frame.pointee.buf.0 = picture.buffer
        frame.pointee.format = picture.format
        frame.pointee.width = picture.width
        frame.pointee.height = picture.height
        let data = pixsim_frame_data_pointers(frame)!
        let lineSizes = pixsim_frame_linesizes(frame)!
        for (plane, start) in picture.planes.prefix(3).enumerated() {
            data[plane] = start
            lineSizes[plane] = picture.lineSizes[plane]
        }
        frame.pointee.color_range = picture.fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        frame.pointee.colorspace = picture.colorSpace
        frame.pointee.sample_aspect_ratio = picture.sampleAspectRatio
        frame.pointee.key_frame = picture.isKeyframe ? 1 : 0
        frame.pointee.pict_type = picture.pictureType
        frame.pointee.pts = picture.pts
        frame.pointee.pkt_dts = picture.dts
        // libavcodec's guess for a stream that does not reorder: the packet's time, else its decoding time.
        frame.pointee.best_effort_timestamp = picture.pts != Timestamp.none ? picture.pts : picture.dts
        frame.pointee.pkt_duration = picture.duration
        frame.pointee.pkt_pos = picture.position
    }
}

extension MediaStream {
    /// Whether this stream is `codec` in a planar format another library's pictures come in
    /// (``PlanarFormats``), or in one its headers left unknown: what a decoder of that library takes.
    func isPlanar(_ codec: AVCodecID) -> Bool {
        let parameters = pointer.pointee.codecpar!
        guard parameters.pointee.codec_id == codec else { return false }
        let format = parameters.pointee.format
        return format == AV_PIX_FMT_NONE.rawValue || PlanarFormats.all.contains(format)
    }
}

extension DecoderOptions {
    /// The threads another library's decoder gets: ``threadCount``, or one per core for 0 (libavcodec's
    /// "automatic"), at most 16 as libavcodec caps its own.
    var libraryThreads: Int { threadCount > 0 ? min(threadCount, 16) : Int(av_cpu_count()) }
}

/// The formats of the planar pictures other libraries give, by chroma layout and depth, as libavcodec names them.
enum PlanarFormats {
    enum Layout: Hashable { case gray, yuv420, yuv422, yuv444, yuv440 }

    static func format(_ layout: Layout, depth: Int) -> Int32? {
        let index: Int
        switch depth {
        case 8: index = 0
        case 10: index = 1
        case 12: index = 2
        default: return nil
        }
        return names[layout]?[index].rawValue
    }

    private static let names: [Layout: [AVPixelFormat]] = [
        .gray: [AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY10LE, AV_PIX_FMT_GRAY12LE],
        .yuv420: [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P12LE],
        .yuv422: [AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV422P12LE],
        .yuv444: [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE],
        .yuv440: [AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUV440P10LE, AV_PIX_FMT_YUV440P12LE],
    ]

    /// Every format ``format(_:depth:)`` gives: a stream in another is left to libavcodec.
    static let all: Set<Int32> = Set([Layout.gray, .yuv420, .yuv422, .yuv444, .yuv440].flatMap { layout in
        [8, 10, 12].compactMap { format(layout, depth: $0) }
    })
}
