import Foundation
import MediaOps

/// libFuzzer target (issue 15): arbitrary bytes as a media file, through what
/// every command does first: the input checks, open and probe, then a decode
/// of the first frame (a poster at 0 s). Any crash, hang, leak or (with
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
    if let probe = try? MediaProbe.probe(input), probe.video != nil {
        _ = try? PosterFrame.write(input, to: scratch + "/poster.jpg", width: 64, at: 0)
    }
    return 0
}
