import Foundation
import Logging
import MediaLibrary

/// The long-running worker behind `watch INBOX`: picks up generation
/// manifests and bare media files dropped into the folder, ingests each, and
/// moves it to `done/` or `failed/` (with `<name>.error.txt` beside it).
///
/// All its state is in the folder and the library, so it survives restarts:
/// an item being processed when the process died is still in the inbox and
/// is processed again, which the pipeline's idempotence makes harmless.
/// A file is picked up only once its size has stopped changing between two
/// scans, so a file still being copied in is left alone.
public struct InboxWatcher: Sendable {
    public var inbox: URL
    public var runner: PipelineRunner
    public var options: PipelineRunner.Options
    public var pollInterval: TimeInterval

    public var doneFolder: URL { inbox.appendingPathComponent("done", isDirectory: true) }
    public var failedFolder: URL { inbox.appendingPathComponent("failed", isDirectory: true) }

    public init(inbox: URL, runner: PipelineRunner, options: PipelineRunner.Options, pollInterval: TimeInterval = 1) {
        self.inbox = inbox
        self.runner = runner
        self.options = options
        self.pollInterval = pollInterval
    }

    /// Processes items until `shouldStop` says so (checked between items and while idle).
    /// - Parameter onItem: told about each finished item.
    /// - Throws: ``PipelineError`` if the inbox cannot be used at all.
    public func run(shouldStop: @Sendable () -> Bool, onItem: (IngestOutcome) -> Void) throws(PipelineError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError(subject: inbox.path, code: .invalidArgument, message: "no such folder")
        }
        for folder in [doneFolder, failedFolder] {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw PipelineError(subject: folder.path, code: .invalidArgument, message: "cannot create: \(error.localizedDescription)")
            }
        }
        _ = try? runner.store.markInterruptedRuns()
        var lastSizes: [String: Int64] = [:]
        while !shouldStop() {
            let (ready, sizes) = readyItems(previousSizes: lastSizes)
            lastSizes = sizes
            if ready.isEmpty {
                let deadline = Date().addingTimeInterval(pollInterval)
                while Date() < deadline && !shouldStop() { Thread.sleep(forTimeInterval: 0.05) }
                continue
            }
            for item in ready {
                if shouldStop() { return }
                onItem(process(item))
            }
        }
    }

    /// One pass over the inbox: the items whose files have kept their size since the last scan.
    func readyItems(previousSizes: [String: Int64]) -> ([InboxItem], [String: Int64]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: inbox.path) else { return ([], [:]) }
        var sizes: [String: Int64] = [:]
        var manifests: [String] = []
        var media: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = inbox.appendingPathComponent(name).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            sizes[path] = size
            guard previousSizes[path] == size else { continue }
            let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
            if ext == "json" { manifests.append(path) } else if ext == "txt" { continue } else { media.append(path) }
        }
        var items: [InboxItem] = []
        var claimed: Set<String> = []
        for path in manifests {
            // A manifest's result or parents that sit in the inbox travel with it.
            var companions: [String] = []
            if let manifest = try? GenerationManifest.load(path) {
                var named = manifest.parents.compactMap { parent -> String? in
                    if case .source(let text) = parent.reference { return text }
                    return nil
                }
                if let result = manifest.result { named.append(result) }
                for text in named {
                    if case .file(let file)? = try? MediaSource(text, relativeTo: inbox),
                       URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path == inbox.standardizedFileURL.path {
                        companions.append(file)
                    }
                }
            }
            claimed.formUnion(companions)
            items.append(InboxItem(path: path, isManifest: true, companions: companions))
        }
        for path in media where !claimed.contains(path) {
            items.append(InboxItem(path: path, isManifest: false, companions: []))
        }
        // Media first: a manifest naming them as parents by hash then finds them.
        return (items.sorted { ($0.isManifest ? 1 : 0, $0.path) < ($1.isManifest ? 1 : 0, $1.path) }, sizes)
    }

    struct InboxItem {
        var path: String
        var isManifest: Bool
        var companions: [String]
    }

    /// Ingests one item and files it (and its companions) under done/ or failed/.
    func process(_ item: InboxItem) -> IngestOutcome {
        let outcome: IngestOutcome
        if item.isManifest {
            do {
                let manifest = filedCompanions(try GenerationManifest.load(item.path))
                outcome = runner.ingestGeneration(manifest, options: options, displayName: item.path)
            } catch {
                outcome = .failure(item.path, error)
            }
        } else {
            outcome = BatchRunner.process(.media(item.path), runner: runner, options: options)
        }
        let succeeded = outcome.status != .failed
        let folder = succeeded ? doneFolder : failedFolder
        if succeeded {
            PipelineLogging.inbox.info("filed in done/", metadata: ["item": "\(item.path)", "status": "\(outcome.status.rawValue)"])
        } else {
            PipelineLogging.inbox.warning("filed in failed/", metadata: ["item": "\(item.path)", "error": "\(outcome.error?.message ?? "failed")"])
        }
        for path in [item.path] + item.companions where FileManager.default.fileExists(atPath: path) {
            let destination = uniqueDestination(for: path, in: folder)
            if rename(path, destination.path) != 0 {
                try? FileManager.default.moveItem(atPath: path, toPath: destination.path)
            }
            if !succeeded && path == item.path {
                let reason = (outcome.error.map { "\($0.code.rawValue): \($0.message)" } ?? "failed") + "\n"
                let reasonFile = URL(fileURLWithPath: destination.path + ".error.txt")
                try? Data(reason.utf8).write(to: reasonFile, options: .atomic)
            }
        }
        return outcome
    }

    /// A file a manifest names beside it may have been picked up as bare
    /// media before the manifest arrived; it is then in done/ (or failed/).
    func filedCompanions(_ manifest: GenerationManifest) -> GenerationManifest {
        var adjusted = manifest
        func relocated(_ text: String) -> String {
            guard case .file(let path)? = try? MediaSource(text, relativeTo: inbox),
                  !FileManager.default.fileExists(atPath: path) else { return text }
            let name = URL(fileURLWithPath: path).lastPathComponent
            for folder in [doneFolder, failedFolder] {
                let candidate = folder.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            return text
        }
        adjusted.result = manifest.result.map(relocated)
        adjusted.parents = manifest.parents.map { parent in
            var copy = parent
            if case .source(let text) = parent.reference { copy.reference = .source(relocated(text)) }
            return copy
        }
        return adjusted
    }

    /// `done/NAME`, or `done/NAME-2` etc. when an earlier item had the same name.
    func uniqueDestination(for path: String, in folder: URL) -> URL {
        let name = URL(fileURLWithPath: path).lastPathComponent
        var candidate = folder.appendingPathComponent(name)
        var counter = 2
        let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        let ext = URL(fileURLWithPath: name).pathExtension
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = folder.appendingPathComponent("\(stem)-\(counter)" + (ext.isEmpty ? "" : ".\(ext)"))
            counter += 1
        }
        return candidate
    }
}
