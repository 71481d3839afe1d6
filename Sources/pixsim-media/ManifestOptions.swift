import ArgumentParser
import Foundation
import MediaPipeline

/// Where files named inside manifests may come from (`ingest`, `batch`, `watch`).
struct ManifestOptions: ParsableArguments {
    @Option(name: .customLong("allow-root"), help: ArgumentHelp(
        "A folder whose files manifests may name, besides the manifest's own folder (repeatable).", valueName: "DIR"))
    var allowedRoots: [String] = []

    @Flag(name: .customLong("allow-file-urls"), help: "Accept file:// URLs in manifests (still confined to the allowed folders).")
    var allowsFileURLs = false

    var confinement: ManifestConfinement {
        ManifestConfinement(allowedRoots: allowedRoots.map { URL(fileURLWithPath: $0) }, allowsFileURLs: allowsFileURLs)
    }
}
