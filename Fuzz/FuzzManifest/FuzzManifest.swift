import Foundation
import MediaPipeline

/// libFuzzer target (issue 15): arbitrary bytes as a generation manifest.
/// Parsing must refuse or accept, never crash; an accepted manifest must
/// satisfy the ranges the decoder promises.
/// Built and run by `make fuzz` (scripts/fuzz.sh), never by `swift build`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    guard let manifest = try? GenerationManifest.parse(bytes, subject: "fuzz.json", baseFolder: URL(fileURLWithPath: "/nonexistent")) else {
        return 0
    }
    for parent in manifest.parents {
        precondition((0...GenerationManifest.maximumSequenceOrder).contains(parent.sequenceOrder), "sequence_order out of range")
        for time in [parent.startTime, parent.endTime].compactMap({ $0 }) {
            precondition(time.isFinite && time >= 0 && time <= 1_000_000, "time out of range")
        }
        if case .assetID(let id) = parent.reference { precondition(id >= 1, "asset_id out of range") }
    }
    return 0
}

/// libFuzzer's driver, called from the entry point SwiftPM gives an executable
/// target (it links `main` to `FuzzManifest_main`, which would otherwise be missing).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

@_cdecl("FuzzManifest_main")
public func FuzzManifestMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzManifest(data, size) }
}
