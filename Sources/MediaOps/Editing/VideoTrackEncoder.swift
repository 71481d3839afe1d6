import Foundation
import LibAV

/// Encodes pictures for one output stream with the encoder of the quality's codec (libx264
/// unless a rendition asks for VP9 or AV1), converting them to a pixel format the encoder takes
/// when the source's is not one.
final class VideoTrackEncoder {
    let encoder: Encoder
    private let converter: Scaler?
    private var converted: Frame?
    private let packet: Packet
    let outputIndex: Int
    /// Called with each encoded packet instead of writing it to the output, when set (smart cut heads).
    var packetSink: ((Packet) throws -> Void)?

    struct Picture: Sendable, Hashable {
        var width: Int
        var height: Int
        var pixelFormat: PixelFormat
        var sampleAspectRatio: Rational
        var timeBase: Rational
        var frameRate: Rational?
        var colorimetry: Colorimetry = .unspecified
    }

    /// SVT-AV1 prints its configuration on stderr itself, past libav's log: errors only, unless the user
    /// set its level (`SVT_LOG`). Set once, before the first SVT-AV1 encoder (a static is initialised once,
    /// whichever thread gets there first; the environment is not written while another thread reads it).
    private static let quietSVTAV1: Void = { setenv("SVT_LOG", "1", 0) }()

    /// The pixel format `encoder` is given for `format`: itself when the encoder takes it, else
    /// 8-bit 4:2:0, or 4:4:4 for odd sizes, which 4:2:0 cannot represent (when the encoder has
    /// 4:4:4; SVT-AV1 has only 4:2:0, and sizes are made even for it).
    static func encodablePixelFormat(_ format: PixelFormat, width: Int = 2, height: Int = 2,
                                     encoder: String = "libx264") -> PixelFormat {
        let subsampled = format.chromaShift.x > 0 || format.chromaShift.y > 0
        let odd = width % 2 == 1 || height % 2 == 1
        let supported = Encoder.supportedPixelFormats(encoder)
        if supported.contains(format) && !(odd && subsampled) { return format }
        return odd && supported.contains(.yuv444p) ? .yuv444p : .yuv420p
    }

    /// - Parameters:
    ///   - picture: what the frames sent in look like (size, format, time base, colour).
    ///   - extraOptions: more encoder options, e.g. `x264-params` for a smart cut head.
    ///   - output: the file the stream is added to (nil when `packetSink` takes the packets).
    init(picture: Picture, quality: EncodingQuality, output: OutputFile?, globalHeader: Bool,
         extraOptions: [String: String] = [:], maxBFrames: Int? = nil) throws(AVError) {
        let encoderName = quality.encoderName
        if encoderName == "libsvtav1" { VideoTrackEncoder.quietSVTAV1 }
        let format = VideoTrackEncoder.encodablePixelFormat(picture.pixelFormat, width: picture.width, height: picture.height,
                                                            encoder: encoderName)
        var settings = VideoEncoderSettings(codecName: encoderName, width: picture.width, height: picture.height,
                                            pixelFormat: format, timeBase: picture.timeBase)
        settings.frameRate = picture.frameRate
        settings.sampleAspectRatio = picture.sampleAspectRatio.isValid ? picture.sampleAspectRatio : Rational(1, 1)
        settings.colorimetry = picture.colorimetry
        settings.globalHeader = globalHeader
        settings.maxBFrames = maxBFrames
        settings.options = quality.encoderOptions.merging(extraOptions) { $1 }
        encoder = try Encoder(video: settings)
        if format != picture.pixelFormat {
            converter = try Scaler(sourceWidth: picture.width, sourceHeight: picture.height, sourceFormat: picture.pixelFormat,
                                   destinationWidth: picture.width, destinationHeight: picture.height, destinationFormat: format,
                                   algorithm: .bicubic)
        } else {
            converter = nil
        }
        packet = try Packet()
        outputIndex = try output?.addStream(encoder: encoder) ?? -1
    }

    /// Encodes `frame` with presentation time `pts` (in the picture time base).
    func encode(_ frame: Frame, pts: Int64, output: OutputFile?) throws {
        var picture = frame
        if let converter {
            let destination = try converted ?? converter.makeDestinationFrame()
            converted = destination
            try converter.scale(frame, into: destination)
            try destination.copyProperties(from: frame)
            picture = destination
        }
        picture.pts = pts
        picture.clearPictureType()
        try encoder.encode(picture, packet: packet) { try self.deliver($0, output: output) }
    }

    /// Drains the encoder.
    func finish(output: OutputFile?) throws {
        try encoder.encode(nil, packet: packet) { try self.deliver($0, output: output) }
    }

    private func deliver(_ packet: Packet, output: OutputFile?) throws {
        if let packetSink { try packetSink(packet); return }
        guard let output else { return }
        try output.write(packet, from: encoder.timeBase, toStream: outputIndex)
    }
}

@available(*, unavailable, message: "A VideoTrackEncoder owns libav objects that must stay in one task.")
extension VideoTrackEncoder: Sendable {}
