import Foundation

/// Chooses a MIME type from what libav found (demuxer, codecs, brand) and the
/// file name, because one demuxer serves several file types ("mov,mp4,m4a,…",
/// "matroska,webm").
enum MIMETypes {
    static func mimeType(container: String, mediaType: String, videoCodec: String?, audioCodecs: [String],
                         majorBrand: String?, pathExtension: String, demuxerMIME: String?) -> String {
        let ext = pathExtension.lowercased()
        let isAudio = mediaType == "audio"
        switch container {
        case "mov,mp4,m4a,3gp,3g2,mj2":
            let brand = (majorBrand ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            if brand == "qt" || ext == "mov" { return "video/quicktime" }
            if brand.hasPrefix("3g2") || ext == "3g2" { return isAudio ? "audio/3gpp2" : "video/3gpp2" }
            if brand.hasPrefix("3gp") || ext == "3gp" { return isAudio ? "audio/3gpp" : "video/3gpp" }
            if brand == "m4a" || isAudio { return "audio/mp4" }
            if ext == "m4v" || brand == "m4v" { return "video/x-m4v" }
            return "video/mp4"
        case "matroska,webm":
            let webmCodecs: Set<String> = ["vp8", "vp9", "av1", "opus", "vorbis"]
            let codecs = [videoCodec].compactMap { $0 } + audioCodecs
            let isWebM = ext == "webm" || (!codecs.isEmpty && codecs.allSatisfy(webmCodecs.contains) && ext != "mkv" && ext != "mka")
            if isWebM { return isAudio ? "audio/webm" : "video/webm" }
            return isAudio ? "audio/x-matroska" : "video/x-matroska"
        case "ogg":
            if isAudio { return audioCodecs == ["opus"] ? "audio/opus" : "audio/ogg" }
            return "video/ogg"
        case "image2":
            return imageTypesByExtension[ext] ?? "image/\(ext.isEmpty ? "unknown" : ext)"
        default:
            if let known = byContainer[container] { return isAudio && known.hasPrefix("video/") ? "audio/" + known.dropFirst(6) : known }
            if container.hasSuffix("_pipe") {
                let name = String(container.dropLast(5))
                return imageTypesByName[name] ?? "image/\(name)"
            }
            if let demuxerMIME, let first = demuxerMIME.split(separator: ",").first { return String(first) }
            return "application/octet-stream"
        }
    }

    private static let byContainer: [String: String] = [
        "mpegts": "video/mp2t", "mpeg": "video/mpeg", "mpegvideo": "video/mpeg", "avi": "video/x-msvideo",
        "flv": "video/x-flv", "asf": "video/x-ms-asf", "mxf": "application/mxf", "rm": "application/vnd.rn-realmedia",
        "mp3": "audio/mpeg", "flac": "audio/flac", "wav": "audio/wav", "aac": "audio/aac", "ac3": "audio/ac3",
        "eac3": "audio/eac3", "amr": "audio/amr", "ivf": "video/x-ivf", "h264": "video/h264", "hevc": "video/h265",
        "obu": "video/av1", "gif": "image/gif", "apng": "image/apng", "aiff": "audio/aiff", "w64": "audio/wav",
        "caf": "audio/x-caf", "dv": "video/dv", "yuv4mpegpipe": "video/x-yuv4mpeg", "m4v": "video/mp4v-es",
    ]

    private static let imageTypesByName: [String: String] = [
        "png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "bmp": "image/bmp", "tiff": "image/tiff",
        "gif": "image/gif", "j2k": "image/jp2", "jpegls": "image/jls", "qoi": "image/qoi", "psd": "image/vnd.adobe.photoshop",
        "exr": "image/x-exr", "dpx": "image/x-dpx", "pgm": "image/x-portable-graymap", "ppm": "image/x-portable-pixmap",
        "svg": "image/svg+xml",
    ]

    private static let imageTypesByExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "bmp": "image/bmp",
        "tif": "image/tiff", "tiff": "image/tiff", "gif": "image/gif",
    ]
}
