import Foundation
import MediaOps

/// libFuzzer target (issue 15): arbitrary bytes as a media file, through what
/// every command does first: the input checks, open and probe, then a decode
/// of the first frame (a poster at 0 s), then, for a small picture, the whole
/// analysis `segments` runs (chunked on two workers where the index allows,
/// the decisions, the loop search). Any crash, hang, leak or (with
/// AddressSanitizer) memory error is a finding; errors thrown are fine.
/// Built and run by `make fuzz` (scripts/fuzz.sh), never by `swift build`.
private let scratch: String = {
    let folder = NSTemporaryDirectory() + "pixsim-fuzz-media-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMedia(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = scratch + "/input"
    guard FileManager.default.createFile(atPath: input, contents: Data(bytes: data, count: size)) else { return 0 }
    if let probe = try? MediaProbe.probe(input), let video = probe.video {
        _ = try? PosterFrame.write(input, to: scratch + "/poster.jpg", width: 64, at: 0)
        // Large pictures only slow the search down: the analysis works on small ones whatever the size.
        if video.width * video.height <= 640 * 480 {
            _ = try? VideoAnalyzer.analyze(path: input, options: AnalysisOptions(threads: 2, loops: LoopSearch()))
        }
    }
    return 0
}

/// libFuzzer's driver, called from the entry point SwiftPM gives an executable
/// target (it links `main` to `FuzzMedia_main`, which would otherwise be missing).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

@_cdecl("FuzzMedia_main")
public func FuzzMediaMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzMedia(data, size) }
}
