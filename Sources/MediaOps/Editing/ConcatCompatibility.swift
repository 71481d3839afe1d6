import Foundation
import LibAV

/// The coding parameters that must agree for inputs to be joined by copying
/// packets: the checks LosslessCut makes before a lossless merge (codec,
/// profile, size, pixel format, aspect, frame rate, and the audio format),
/// compared input by input against the first.
struct StreamSignature: Sendable, Hashable {
    struct Video: Sendable, Hashable {
        var codec: String
        var profile: String?
        var width: Int
        var height: Int
        var pixelFormat: PixelFormat
        var sampleAspectRatio: Rational
        var frameRate: Rational
        var nalLengthSize: Int?
        /// Clockwise display rotation: copied pictures keep the first input's.
        var rotation: Int
    }

    struct Audio: Sendable, Hashable {
        var codec: String
        var sampleRate: Int
        var channels: Int
        var layout: String
        var sampleFormat: SampleFormat
    }

    var video: Video
    var audio: Audio?

    init(video stream: MediaStream, audio audioStream: MediaStream?) {
        let p = stream.parameters
        let sar = stream.sampleAspectRatio.isValid ? stream.sampleAspectRatio : p.sampleAspectRatio
        video = Video(codec: p.codecName, profile: p.profileName, width: p.width, height: p.height, pixelFormat: p.pixelFormat,
                      sampleAspectRatio: sar.isValid ? sar.reduced : Rational(1, 1),
                      frameRate: stream.averageFrameRate.isValid ? stream.averageFrameRate.reduced : stream.realFrameRate.reduced,
                      nalLengthSize: p.codecID == .h264 ? AVCConfiguration(stream.extradata)?.lengthSize : nil,
                      rotation: stream.rotation)
        audio = audioStream.map { a in
            let q = a.parameters
            return Audio(codec: q.codecName, sampleRate: q.sampleRate, channels: q.channelLayout?.channelCount ?? 0,
                         layout: q.channelLayout?.name ?? "", sampleFormat: q.sampleFormat)
        }
    }

    /// The first difference between `self` (an input) and `reference` (the first input), in words; nil when they agree.
    func difference(from reference: StreamSignature, path: String, referencePath: String) -> String? {
        let v = video, r = reference.video
        func differs(_ what: String, _ mine: String, _ theirs: String) -> String {
            "\(path) has \(what) \(mine) but \(referencePath) has \(theirs)"
        }
        if v.codec != r.codec { return differs("video codec", v.codec, r.codec) }
        if v.profile != r.profile { return differs("video profile", v.profile ?? "unknown", r.profile ?? "unknown") }
        if v.width != r.width || v.height != r.height { return differs("size", "\(v.width)x\(v.height)", "\(r.width)x\(r.height)") }
        if v.pixelFormat != r.pixelFormat { return differs("pixel format", "\(v.pixelFormat)", "\(r.pixelFormat)") }
        if v.sampleAspectRatio != r.sampleAspectRatio {
            return differs("sample aspect ratio", "\(v.sampleAspectRatio)", "\(r.sampleAspectRatio)")
        }
        if v.frameRate != r.frameRate {
            return differs("frame rate", String(format: "%.3f fps", v.frameRate.doubleValue), String(format: "%.3f fps", r.frameRate.doubleValue))
        }
        if v.rotation != r.rotation { return differs("rotation", "\(v.rotation)°", "\(r.rotation)°") }
        if v.nalLengthSize != r.nalLengthSize { return differs("H.264 NAL length size", "\(v.nalLengthSize ?? 0)", "\(r.nalLengthSize ?? 0)") }
        switch (audio, reference.audio) {
        case (nil, nil): return nil
        case (nil, _): return "\(path) has no audio but \(referencePath) has"
        case (_, nil): return "\(path) has audio but \(referencePath) has none"
        case let (a?, b?):
            if a.codec != b.codec { return differs("audio codec", a.codec, b.codec) }
            if a.sampleRate != b.sampleRate { return differs("audio sample rate", "\(a.sampleRate) Hz", "\(b.sampleRate) Hz") }
            if a.channels != b.channels || a.layout != b.layout { return differs("audio channels", a.layout, b.layout) }
            if a.sampleFormat != b.sampleFormat { return differs("audio sample format", "\(a.sampleFormat)", "\(b.sampleFormat)") }
            return nil
        }
    }
}

/// One input of a join, opened.
final class ConcatInput {
    let path: String
    let input: InputFile
    let video: MediaStream
    let audio: MediaStream?
    let signature: StreamSignature

    init(path: String) throws(MediaError) {
        self.path = path
        input = try InputValidation.openWithStreamInfo(path)
        guard let video = input.bestStream(.video), !video.isAttachedPicture else {
            throw MediaError(path: path, code: .noVideo, message: "has no video stream to join")
        }
        guard video.parameters.codecID.hasDecoder else {
            throw MediaError(path: path, code: .unsupportedCodec, message: "no decoder for video codec \(video.parameters.codecName) in this FFmpeg")
        }
        // A join holds each input for as long as its timestamps say: a damaged time scale would make it days long.
        if let claimed = PlausibleTiming.claimedDuration(of: input, video: video), claimed >= PlausibleTiming.longestDuration {
            throw MediaError(path: path, code: .corrupt, message: "claims to last \(Int(claimed.rounded())) s: the track's timing is damaged")
        }
        self.video = video
        audio = input.bestStream(.audio)
        signature = StreamSignature(video: video, audio: audio)
    }

    /// The first presentation time of the video, in its time base (0 when the container does not say).
    var videoStart: Int64 { video.startTime ?? 0 }

    func libavError(_ error: AVError) -> MediaError { MediaError(path: path, libav: error) }
}

@available(*, unavailable, message: "A ConcatInput owns an InputFile that must stay in one task.")
extension ConcatInput: Sendable {}
