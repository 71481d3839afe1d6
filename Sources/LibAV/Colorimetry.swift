import CFFmpeg

extension Frame {
    /// `AVFrame.colorspace`: the YUV matrix the picture was encoded with (raw `AVColorSpace`; 2 = unspecified).
    public var colorSpace: Int32 { Int32(pointer.pointee.colorspace.rawValue) }
    /// Whether samples use the full 0...255 range (`AVCOL_RANGE_JPEG`) rather than video range 16...235.
    public var isFullRange: Bool { pointer.pointee.color_range == AVCOL_RANGE_JPEG }
}

extension Scaler {
    /// Tells the scaler which YUV matrix and range the source pictures use
    /// (`sws_setColorspaceDetails`). Without it swscale assumes BT.601 video
    /// range for every `yuv*` format, so a full-range or BT.709-tagged picture
    /// turned into RGB comes out washed out or with shifted colours.
    /// Unspecified (2) keeps swscale's default, as the ffmpeg command line does.
    /// - Parameters:
    ///   - colorSpace: raw `AVColorSpace` of the source (see ``Frame/colorSpace``).
    ///   - fullRange: whether the source uses full-range samples.
    public func setSourceColorimetry(colorSpace: Int32, fullRange: Bool) throws(AVError) {
        var inverseTable: UnsafeMutablePointer<Int32>? = nil
        var table: UnsafeMutablePointer<Int32>? = nil
        var sourceRange: Int32 = 0, destinationRange: Int32 = 0
        var brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        let current = sws_getColorspaceDetails(context, &inverseTable, &sourceRange, &table, &destinationRange,
                                               &brightness, &contrast, &saturation)
        // -1: the conversion does not involve YUV (RGB to RGB, grey), nothing to set.
        guard current >= 0, let table else { return }
        let sourceTable = colorSpace == 2 ? UnsafePointer(inverseTable) : sws_getCoefficients(colorSpace)
        guard let sourceTable else { return }
        try check(sws_setColorspaceDetails(context, sourceTable, fullRange ? 1 : sourceRange, UnsafePointer(table), destinationRange,
                                           brightness, contrast, saturation), "sws_setColorspaceDetails")
    }
}
