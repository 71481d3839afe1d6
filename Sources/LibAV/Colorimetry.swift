import CFFmpeg

/// How a picture's samples map to colours: the range, primaries, transfer and
/// YUV matrix a stream or frame is tagged with. Copied from a source to an
/// encoder so a re-encode keeps the tags; read by the scalers and samplers so a
/// full-range or BT.709 picture is converted with the right matrix. The values
/// are libav's own (`AVColorRange`, ...), named here so no code outside LibAV
/// spells their numbers.
public struct Colorimetry: Sendable, Hashable {
    public var range: ColorRange
    public var primaries: ColorPrimaries
    public var transfer: ColorTransfer
    public var matrix: ColorMatrix

    public init(range: ColorRange = .unspecified, primaries: ColorPrimaries = .unspecified,
                transfer: ColorTransfer = .unspecified, matrix: ColorMatrix = .unspecified) {
        self.range = range
        self.primaries = primaries
        self.transfer = transfer
        self.matrix = matrix
    }

    /// Nothing said: encoders write no tags, converters use their defaults.
    public static let unspecified = Colorimetry()

    init(range: AVColorRange, primaries: AVColorPrimaries, transfer: AVColorTransferCharacteristic, matrix: AVColorSpace) {
        self.init(range: ColorRange(range), primaries: ColorPrimaries(primaries), transfer: ColorTransfer(transfer),
                  matrix: ColorMatrix(matrix))
    }
}

/// Sample range (`AVColorRange`).
public struct ColorRange: Sendable, Hashable {
    let avValue: AVColorRange
    init(_ value: AVColorRange) { avValue = value }
    public static let unspecified = ColorRange(AVCOL_RANGE_UNSPECIFIED)
    /// Video ("MPEG", limited) range: luma 16...235.
    public static let video = ColorRange(AVCOL_RANGE_MPEG)
    /// Full ("JPEG") range: 0...255, what JPEG files hold.
    public static let full = ColorRange(AVCOL_RANGE_JPEG)
}

/// Colour primaries (`AVColorPrimaries`); carried from source to encoder, not interpreted.
public struct ColorPrimaries: Sendable, Hashable {
    let avValue: AVColorPrimaries
    init(_ value: AVColorPrimaries) { avValue = value }
    public static let unspecified = ColorPrimaries(AVCOL_PRI_UNSPECIFIED)
}

/// Transfer characteristic (`AVColorTransferCharacteristic`); carried, not interpreted.
public struct ColorTransfer: Sendable, Hashable {
    let avValue: AVColorTransferCharacteristic
    init(_ value: AVColorTransferCharacteristic) { avValue = value }
    public static let unspecified = ColorTransfer(AVCOL_TRC_UNSPECIFIED)
}

/// The YUV matrix (`AVColorSpace`), named where the analysis samplers need its coefficients.
public struct ColorMatrix: Sendable, Hashable {
    let avValue: AVColorSpace
    init(_ value: AVColorSpace) { avValue = value }
    public static let unspecified = ColorMatrix(AVCOL_SPC_UNSPECIFIED)
    public static let bt709 = ColorMatrix(AVCOL_SPC_BT709)
    public static let fcc = ColorMatrix(AVCOL_SPC_FCC)
    public static let smpte240m = ColorMatrix(AVCOL_SPC_SMPTE240M)
    public static let bt2020NonConstant = ColorMatrix(AVCOL_SPC_BT2020_NCL)
    public static let bt2020Constant = ColorMatrix(AVCOL_SPC_BT2020_CL)
}

extension Frame {
    /// `AVFrame.colorspace`: the YUV matrix the picture was encoded with.
    public var colorMatrix: ColorMatrix { ColorMatrix(pointer.pointee.colorspace) }
    /// Whether samples use the full 0...255 range (`AVCOL_RANGE_JPEG`) rather than video range 16...235.
    public var isFullRange: Bool { pointer.pointee.color_range == AVCOL_RANGE_JPEG }
}

extension Scaler {
    /// Tells the scaler which YUV matrix and range the source pictures use
    /// (`sws_setColorspaceDetails`). Without it swscale assumes BT.601 video
    /// range for every `yuv*` format, so a full-range or BT.709-tagged picture
    /// turned into RGB comes out washed out or with shifted colours.
    /// An unspecified matrix keeps swscale's default, as the ffmpeg command line does.
    /// - Parameters:
    ///   - matrix: the source's YUV matrix (see ``Frame/colorMatrix``).
    ///   - fullRange: whether the source uses full-range samples.
    public func setSourceColorimetry(matrix: ColorMatrix, fullRange: Bool) throws(AVError) {
        var inverseTable: UnsafeMutablePointer<Int32>? = nil
        var table: UnsafeMutablePointer<Int32>? = nil
        var sourceRange: Int32 = 0, destinationRange: Int32 = 0
        var brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        let current = sws_getColorspaceDetails(context, &inverseTable, &sourceRange, &table, &destinationRange,
                                               &brightness, &contrast, &saturation)
        // -1: the conversion does not involve YUV (RGB to RGB, grey), nothing to set.
        guard current >= 0, let table else { return }
        let sourceTable = matrix == .unspecified ? UnsafePointer(inverseTable) : sws_getCoefficients(Int32(matrix.avValue.rawValue))
        guard let sourceTable else { return }
        try check(sws_setColorspaceDetails(context, sourceTable, fullRange ? 1 : sourceRange, UnsafePointer(table), destinationRange,
                                           brightness, contrast, saturation), "sws_setColorspaceDetails")
    }
}
