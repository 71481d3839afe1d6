import CFFmpeg

// What cutting and joining need from libav beyond reading and writing:
// codec configuration bytes (extradata), packet payload surgery, encoder
// capabilities and picture compositing. Kept in one additive file so the
// core owner types stay small.

extension MediaStream {
    /// The codec's out-of-band configuration (`AVCodecParameters.extradata`),
    /// e.g. an H.264 `avcC` record; empty when the stream has none.
    public var extradata: [UInt8] {
        let parameters = pointer.pointee.codecpar.pointee
        guard let bytes = parameters.extradata, parameters.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(parameters.extradata_size)))
    }

    /// The H.264/HEVC `has_b_frames` reordering depth the demuxer measured, or the codec's `video_delay`.
    public var reorderDepth: Int { Int(pointer.pointee.codecpar.pointee.video_delay) }
}

extension InputFile {
    /// Goes back to the first byte of the file (`avformat_seek_file` with
    /// `AVSEEK_FLAG_BYTE`), for demuxers that cannot seek by time.
    public func seekToFirstByte() throws(AVError) {
        try seek(toByte: 0)
    }
}

extension OutputFile {
    /// Replaces a stream's codec configuration (`AVCodecParameters.extradata`),
    /// e.g. with an `avcC` record that carries more parameter sets than the source's.
    /// Must be called before ``writeHeader(options:)``.
    public func setExtradata(stream index: Int, _ bytes: [UInt8]) throws(AVError) {
        let parameters = try streamPointer(index).pointee.codecpar!
        av_freep(&parameters.pointee.extradata)
        parameters.pointee.extradata_size = 0
        guard !bytes.isEmpty else { return }
        let padded = bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)
        let raw = try allocated(av_mallocz(padded), "av_mallocz")
        let storage = raw.bindMemory(to: UInt8.self, capacity: padded)
        bytes.withUnsafeBufferPointer { storage.update(from: $0.baseAddress!, count: bytes.count) }
        parameters.pointee.extradata = storage
        parameters.pointee.extradata_size = Int32(bytes.count)
    }

    /// Whether the muxer can store `codec`, counting "the muxer does not say"
    /// (`avformat_query_codec` < 0, e.g. MPEG-TS) as yes: only a definite no refuses.
    public func mayStore(_ codec: CodecID) -> Bool {
        avformat_query_codec(context.pointee.oformat, codec.avValue, FF_COMPLIANCE_NORMAL) != 0
    }

    /// Copies every metadata tag of `source` to an output stream (attachments
    /// need their `filename` and `mimetype`).
    public func copyMetadata(from source: MediaStream, toStream index: Int) throws(AVError) {
        let stream = try streamPointer(index)
        for (key, value) in source.metadata { av_dict_set(&stream.pointee.metadata, key, value, 0) }
    }

    /// The number of streams added so far.
    public var streamCount: Int { Int(context.pointee.nb_streams) }
}

extension Packet {
    /// Replaces the payload with `bytes`, keeping timestamps, flags and stream
    /// index (`av_new_packet` into a scratch packet, then the properties copied over).
    public func replacePayload(with bytes: [UInt8]) throws(AVError) {
        let replacement = try Packet()
        try check(av_new_packet(replacement.pointer, Int32(bytes.count)), "av_new_packet")
        if !bytes.isEmpty {
            bytes.withUnsafeBufferPointer { replacement.pointer.pointee.data.update(from: $0.baseAddress!, count: bytes.count) }
        }
        try check(av_packet_copy_props(replacement.pointer, pointer), "av_packet_copy_props")
        replacement.pointer.pointee.stream_index = pointer.pointee.stream_index
        replacement.pointer.pointee.time_base = pointer.pointee.time_base
        moveReference(from: replacement)
    }
}

extension Encoder {
    /// The encoder's out-of-band configuration (`extradata`), e.g. libx264's
    /// Annex B parameter sets when opened with a global header.
    public var extradata: [UInt8] {
        guard let bytes = context.pointee.extradata, context.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(context.pointee.extradata_size)))
    }

    /// The pixel formats an encoder accepts (`AVCodec.pix_fmts`); empty when it
    /// does not say or does not exist.
    public static func supportedPixelFormats(_ name: String) -> [PixelFormat] {
        guard let codec = avcodec_find_encoder_by_name(name), var cursor = codec.pointee.pix_fmts else { return [] }
        var formats: [PixelFormat] = []
        while cursor.pointee != AV_PIX_FMT_NONE {
            formats.append(PixelFormat(cursor.pointee))
            cursor += 1
        }
        return formats
    }
}

extension Frame {
    /// Forgets the decoder's picture type so an encoder chooses its own frame
    /// types (a decoded I-frame would otherwise force a keyframe).
    public func clearPictureType() { pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE }

    /// Paints the whole picture black in its pixel format (`av_image_fill_black`),
    /// for letterbox and pillarbox bars.
    public func fillBlack() throws(AVError) {
        try makeWritable()
        var lineSizes = [Int](repeating: 0, count: 4)
        for plane in 0..<4 { lineSizes[plane] = lineSize(plane: plane) }
        let range = pointer.pointee.color_range == AVCOL_RANGE_JPEG ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        let code = lineSizes.withUnsafeBufferPointer { sizes in
            av_image_fill_black(pixsim_frame_data_pointers(pointer), sizes.baseAddress, pixelFormat.avValue, range,
                                Int32(width), Int32(height))
        }
        try check(code, "av_image_fill_black")
    }

    /// Copies `picture` (same pixel format, not larger) into this frame with its
    /// top-left corner at (`x`, `y`), plane by plane; chroma positions follow the
    /// format's subsampling, so `x` and `y` should be multiples of it.
    public func place(_ picture: Frame, atX x: Int, y: Int) throws(AVError) {
        guard picture.pixelFormat == pixelFormat, picture.width + x <= width, picture.height + y <= height,
              let descriptor = av_pix_fmt_desc_get(pixelFormat.avValue) else {
            throw AVError.invalid("cannot place a \(picture.width)x\(picture.height) \(picture.pixelFormat) picture in a \(width)x\(height) \(pixelFormat) frame",
                                  operation: "Frame.place", code: AVError.invalidArgumentCode)
        }
        try makeWritable()
        let shiftY = Int(descriptor.pointee.log2_chroma_h)
        var planeBytes = [Int32](repeating: 0, count: 4)
        av_image_fill_linesizes(&planeBytes, pixelFormat.avValue, Int32(picture.width))
        let offsetBytes = x == 0 ? [Int32](repeating: 0, count: 4) : {
            var sizes = [Int32](repeating: 0, count: 4)
            av_image_fill_linesizes(&sizes, pixelFormat.avValue, Int32(x))
            return sizes
        }()
        for plane in 0..<pixelFormat.planeCount {
            let isChroma = plane == 1 || plane == 2
            let rows = isChroma ? -((-picture.height) >> shiftY) : picture.height
            let top = isChroma ? y >> shiftY : y
            guard let source = pixsim_frame_data(picture.pointer, Int32(plane)),
                  let destination = pixsim_frame_data(pointer, Int32(plane)) else { continue }
            let sourceStride = picture.lineSize(plane: plane), destinationStride = lineSize(plane: plane)
            let bytes = Int(planeBytes[plane])
            let left = Int(offsetBytes[plane])
            for row in 0..<rows {
                (destination + (top + row) * destinationStride + left).update(from: source + row * sourceStride, count: bytes)
            }
        }
    }

    /// A copy of the picture turned clockwise by `quarterTurns` × 90°, plane by
    /// plane, for planar 8-bit formats whose chroma is subsampled equally in
    /// both directions (4:2:0, 4:4:4, grey) and whose size that subsampling divides.
    /// - Throws: ``AVError`` for other formats.
    public func rotated(clockwiseQuarterTurns quarterTurns: Int) throws(AVError) -> Frame {
        let turns = ((quarterTurns % 4) + 4) % 4
        let (shiftX, shiftY) = pixelFormat.chromaShift
        guard let descriptor = av_pix_fmt_desc_get(pixelFormat.avValue),
              descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0 || pixelFormat.planeCount == 1,
              descriptor.pointee.comp.0.depth == 8, descriptor.pointee.comp.0.step == 1, shiftX == shiftY,
              width % (1 << shiftX) == 0, height % (1 << shiftY) == 0 else {
            throw AVError.invalid("cannot turn a \(width)x\(height) \(pixelFormat) picture", operation: "Frame.rotated",
                                  code: AVError.invalidArgumentCode)
        }
        let turnedWidth = turns % 2 == 1 ? height : width
        let turnedHeight = turns % 2 == 1 ? width : height
        let result = try Frame(width: turnedWidth, height: turnedHeight, pixelFormat: pixelFormat)
        try result.copyProperties(from: self)
        for plane in 0..<pixelFormat.planeCount {
            let isChroma = plane == 1 || plane == 2
            let sourceWidth = isChroma ? width >> shiftX : width
            let sourceHeight = isChroma ? height >> shiftY : height
            guard let source = pixsim_frame_data(pointer, Int32(plane)),
                  let destination = pixsim_frame_data(result.pointer, Int32(plane)) else { continue }
            let sourceStride = lineSize(plane: plane), destinationStride = result.lineSize(plane: plane)
            for y in 0..<sourceHeight {
                let row = source + y * sourceStride
                for x in 0..<sourceWidth {
                    let (targetX, targetY): (Int, Int)
                    switch turns {
                    case 1: (targetX, targetY) = (sourceHeight - 1 - y, x)
                    case 2: (targetX, targetY) = (sourceWidth - 1 - x, sourceHeight - 1 - y)
                    case 3: (targetX, targetY) = (y, sourceWidth - 1 - x)
                    default: (targetX, targetY) = (x, y)
                    }
                    destination[targetY * destinationStride + targetX] = row[x]
                }
            }
        }
        return result
    }
}
