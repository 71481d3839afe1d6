import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaOps
import MediaPipeline

/// `pixsim-media variants create|list`: renditions of an asset (SPEC section 9).
struct VariantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variants",
        abstract: "Renditions of a video asset: compressed (web), reframed (another aspect ratio), upscaled.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Make a rendition of an asset as a new asset with a variant_source lineage edge (the same parameters again: nothing new).")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String
        @Option(name: .long, help: "compressed, reframed or upscaled.") var type: String
        @Option(name: .long, help: "compressed: at most this many lines (default 720, never larger than the source); upscaled: this many lines.")
        var height: Int?
        @Option(name: .long, help: "upscaled: the factor (default 2).") var scale: Double?
        @Option(name: .long, help: "reframed: 9:16, 1:1, 4:5 or 16:9.") var aspect: String?
        @Option(name: .long, help: "reframed: crop (a window following the subject, the default) or pad (the whole picture on black).")
        var fit: String = "crop"
        @Option(name: .long, help: "upscaled: an unsharp mask on the luma, from 0 (none) to 2; 0.5 is mild.") var sharpen: Double?
        @Option(name: .long, help: "Video codec: h264, vp9 or av1 (VP9 and AV1 when this FFmpeg has their encoders).")
        var codec: String = "h264"
        @Option(name: .long, help: "Constant rate factor (H.264 default 23 compressed, 18 upscaled, 20 reframed; VP9 and AV1 ten more).")
        var crf: Int?
        @Option(name: .long, help: "Peak bit rate, e.g. 2500k or 3M (VBV, two-second buffer).") var maxBitrate: String?
        @Option(name: .long, help: "Speed preset, x264's names (ultrafast ... veryslow), mapped for VP9 and AV1.") var preset: String = "medium"

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let rendition = try makeRendition()
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let editor = LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                                           options: PipelineRunner.Options(stages: [PipelineStage(name: "probe")].compactMap { $0 }))
                let outcome = try editor.createVariant(assetID: source.assetID, rendition: rendition)
                if !options.quiet { for warning in outcome.warnings { CommandOutput.printWarning(path: "asset \(source.assetID)", message: warning) } }
                if options.json {
                    try CommandOutput.printJSON(VariantDocument(outcome.variant, created: outcome.created,
                                                                 warnings: outcome.created ? outcome.warnings : nil))
                } else if !options.quiet {
                    CommandOutput.printLine((outcome.created ? "" : "(already made) ") + VariantDocument.line(outcome.variant))
                }
            }
        }

        /// The rendition asked for; a bad value is an input error (one line, exit 1), as for a bad file.
        func makeRendition() throws -> Rendition {
            func invalid(_ message: String) -> PipelineError { PipelineError(subject: asset, code: .invalidArgument, message: message) }
            guard let kind = RenditionType(rawValue: type) else {
                throw invalid("--type must be compressed, reframed or upscaled, not '\(type)'")
            }
            var maxBitRate: Int64?
            if let text = maxBitrate {
                guard let rate = Self.bitRate(text) else { throw invalid("--max-bitrate must be bits per second such as 2500k or 3M, not '\(text)'") }
                maxBitRate = rate
            }
            guard let videoCodec = VideoCodec(rawValue: codec) else { throw invalid("--codec must be h264, vp9 or av1, not '\(codec)'") }
            func quality(_ defaultCRF: Int) -> EncodingQuality {
                EncodingQuality(crf: crf ?? videoCodec.crf(matchingX264: defaultCRF), preset: preset, maxBitRate: maxBitRate, codec: videoCodec)
            }
            if sharpen != nil && kind != .upscaled { throw invalid("--sharpen is an option of an upscaled rendition only") }
            let rendition: Rendition
            switch kind {
            case .compressed:
                if scale != nil || aspect != nil { throw invalid("--scale and --aspect are not options of a compressed rendition") }
                rendition = .compressed(height: height ?? 720, quality: quality(Rendition.defaultCompressedCRF))
            case .upscaled:
                if aspect != nil { throw invalid("--aspect is not an option of an upscaled rendition") }
                if scale != nil && height != nil { throw invalid("give --scale or --height, not both") }
                rendition = .upscaled(scale: height == nil ? (scale ?? 2) : nil, height: height, sharpen: sharpen ?? 0,
                                      quality: quality(Rendition.defaultUpscaledCRF))
            case .reframed:
                if scale != nil || height != nil { throw invalid("--scale and --height are not options of a reframed rendition") }
                guard let text = aspect else { throw invalid("a reframed rendition needs --aspect (\(AspectRatio.supported.joined(separator: ", ")))") }
                guard let ratio = AspectRatio(text) else {
                    throw invalid("--aspect must be one of \(AspectRatio.supported.joined(separator: ", ")), not '\(text)'")
                }
                guard let fitting = RenditionFit(rawValue: fit) else { throw invalid("--fit must be crop or pad, not '\(fit)'") }
                rendition = .reframed(aspect: ratio, fit: fitting, quality: quality(Rendition.defaultReframedCRF))
            }
            try rendition.validate(path: asset)
            return rendition
        }

        /// `2500000`, `2500k`, `2.5M`: bits per second.
        static func bitRate(_ text: String) -> Int64? {
            let lower = text.lowercased()
            var multiplier = 1.0
            var digits = Substring(lower)
            if lower.hasSuffix("k") { multiplier = 1_000; digits = digits.dropLast() } else if lower.hasSuffix("m") { multiplier = 1_000_000; digits = digits.dropLast() }
            guard let value = Double(digits), value.isFinite, value > 0, value * multiplier < 1e12 else { return nil }
            return Int64(value * multiplier)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The renditions of an asset.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let variants = try store.variants(ofAsset: source.assetID)
                if options.json {
                    try CommandOutput.printJSON(variants.map { VariantDocument($0) })
                } else {
                    for variant in variants { CommandOutput.printLine(VariantDocument.line(variant)) }
                }
            }
        }
    }
}
