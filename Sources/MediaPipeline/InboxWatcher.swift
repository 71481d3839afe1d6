import Foundation
import Logging
import MediaLibrary
import MediaOps

/// The long-running worker behind `watch INBOX`: picks up generation
/// manifests and bare media files dropped into the folder, ingests each, and
/// moves it to `done/` or `failed/` (with `<name>.error.txt` beside it).
///
/// All its state is in the folder and the library, so it survives restarts:
/// an item being processed when the process died is still in the inbox and
/// is processed again, which the pipeline's idempotence makes harmless.
/// A file is picked up only once its size and modification time have not
/// changed for ``settleTime`` (a writer that pauses mid-copy keeps its file),
/// and a manifest only once the files it names in the inbox have settled too.
public struct InboxWatcher: Sendable {
    public var inbox: URL
    public var runner: PipelineRunner
    public var options: PipelineRunner.Options
    public var pollInterval: TimeInterval
    /// How long a file's size and modification time must stay the same before it is taken.
    public var settleTime: TimeInterval
    /// How an item is ingested (its path, and whether it is a manifest); nil: here, by ``runner``.
    /// On a PostgreSQL library `watch` hands items to the job queue instead, and files them once their job is done.
    /// It answers nil while the item's job is still unfinished elsewhere (`watch --enqueue-only`): the item then
    /// stays in the inbox, where workers read it, and is asked about again at a later scan.
    public var ingestItem: (@Sendable (_ path: String, _ isManifest: Bool) -> IngestOutcome?)?

    public var doneFolder: URL { inbox.appendingPathComponent("done", isDirectory: true) }
    public var failedFolder: URL { inbox.appendingPathComponent("failed", isDirectory: true) }

    public init(inbox: URL, runner: PipelineRunner, options: PipelineRunner.Options, pollInterval: TimeInterval = 1,
                settleTime: TimeInterval = 5) {
        self.inbox = inbox
        self.runner = runner
        self.options = options
        self.pollInterval = pollInterval
        self.settleTime = settleTime
    }

    /// A file as last seen: its size and modification time, and since when they have been so.
    struct Observation: Equatable {
        var size: Int64
        var modified: Double
        var since: Date
    }

    /// Processes items until `shouldStop` says so (checked between items and while idle).
    /// - Parameter onItem: told about each finished item.
    /// - Throws: ``PipelineError`` if the inbox cannot be used at all.
    /// A download in progress is cancelled as soon as `shouldStop` says so.
    public func run(shouldStop: @escaping @Sendable () -> Bool, onItem: (IngestOutcome) -> Void) throws(PipelineError) {
        var watcher = self
        watcher.runner.downloader.shouldStop = shouldStop
        try watcher.watch(shouldStop: shouldStop, onItem: onItem)
    }

    private func watch(shouldStop: @Sendable () -> Bool, onItem: (IngestOutcome) -> Void) throws(PipelineError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError(subject: inbox.path, code: .invalidArgument, message: "no such folder")
        }
        for folder in [doneFolder, failedFolder] {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw PipelineError(subject: folder.path, code: .invalidArgument, message: "cannot create: \(error.localizedDescription)")
            }
        }
        // Runs left "running" by a dead process of this machine. Not when items go to a job queue: other
        // machines' processes run those, their ids mean nothing here, and the queue's leases recover them.
        if ingestItem == nil { _ = try? runner.store.markInterruptedRuns() }
        var lastSeen: [String: Observation] = [:]
        var reported: Set<String> = []
        var seenLastScan: Set<String> = []
        while !shouldStop() {
            let (ready, seen) = readyItems(previous: lastSeen)
            lastSeen = seen
            // What the watcher will not take is said once, not left in the inbox without a word.
            // Said only when still there at the next scan, so a writer's short-lived temporary file is not reported.
            let left = leftInInbox()
            defer { seenLastScan = Set(left.map(\.path)) }
            for (path, reason) in left where !reported.contains(path) && seenLastScan.contains(path) {
                reported.insert(path)
                var outcome = IngestOutcome(path: path, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
                outcome.warnings.append("left in the inbox: \(reason)")
                onItem(outcome)
            }
            var finishedAny = false
            for item in ready {
                if shouldStop() { return }
                if let outcome = process(item) {
                    onItem(outcome)
                    finishedAny = true
                }
            }
            // Nothing finished (an empty inbox, or only items whose jobs workers elsewhere still have): wait a scan.
            if !finishedAny {
                let deadline = Date().addingTimeInterval(pollInterval)
                while Date() < deadline && !shouldStop() { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
    }

    /// One pass over the inbox: the items whose files have kept their size and
    /// modification time for ``settleTime`` (and at least since the last scan).
    func readyItems(previous: [String: Observation]) -> ([InboxItem], [String: Observation]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: inbox.path) else { return ([], [:]) }
        let now = Date()
        var seen: [String: Observation] = [:]
        var settled: Set<String> = []
        var manifests: [String] = []
        var media: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = inbox.appendingPathComponent(name).path
            // stat follows a symbolic link: a link to a media file is that file.
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
            let size = Int64(status.st_size)
            let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
            var observation = Observation(size: size, modified: modified, since: now)
            if let before = previous[path], before.size == size, before.modified == modified { observation.since = before.since }
            seen[path] = observation
            guard previous[path] != nil, now.timeIntervalSince(observation.since) >= settleTime else { continue }
            settled.insert(path)
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
            // A named file still being written holds its manifest back until it settles.
            if companions.contains(where: { FileManager.default.fileExists(atPath: $0) && !settled.contains($0) }) { continue }
            claimed.formUnion(companions)
            items.append(InboxItem(path: path, isManifest: true, companions: companions))
        }
        for path in media where !claimed.contains(path) {
            items.append(InboxItem(path: path, isManifest: false, companions: []))
        }
        // Media first: a manifest naming them as parents by hash then finds them.
        return (items.sorted { ($0.isManifest ? 1 : 0, $0.path) < ($1.isManifest ? 1 : 0, $1.path) }, seen)
    }

    /// Entries of the inbox that ``readyItems(previous:)`` never takes, with why:
    /// hidden files, folders (other than done/ and failed/), FIFOs, sockets, devices, dangling links.
    func leftInInbox() -> [(path: String, reason: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: inbox.path) else { return [] }
        var left: [(String, String)] = []
        for name in names.sorted() where name != "done" && name != "failed" {
            let path = inbox.appendingPathComponent(name).path
            var status = stat()
            if stat(path, &status) != 0 {
                left.append((path, "symbolic link to a missing file"))
            } else if (status.st_mode & S_IFMT) != S_IFREG {
                left.append((path, "is \(FileKind.describe(status.st_mode)), not a file to ingest"))
            } else if name.hasPrefix(".") {
                left.append((path, "hidden file (a name starting with '.') is not taken"))
            } else if name.lowercased().hasSuffix(".txt") {
                left.append((path, "a .txt file is not taken"))
            }
        }
        return left
    }

    struct InboxItem {
        var path: String
        var isManifest: Bool
        var companions: [String]
    }

    /// Ingests one item and files it (and its companions) under done/ or failed/.
    /// - Returns: its outcome, or nil when its job is still unfinished elsewhere (the item stays in the inbox).
    func process(_ item: InboxItem) -> IngestOutcome? {
        let outcome: IngestOutcome
        if let ingestItem {
            guard let finished = ingestItem(item.path, item.isManifest) else { return nil }
            outcome = finished
        } else if item.isManifest {
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
        // Stopped mid-item (a download cancelled by SIGTERM): leave it in the inbox for the next run.
        if !succeeded && (runner.downloader.shouldStop?() ?? false) { return outcome }
        let folder = succeeded ? doneFolder : failedFolder
        if succeeded {
            PipelineLogging.inbox.info("filed in done/", metadata: ["item": "\(DisplayText.escaped(item.path))", "status": "\(outcome.status.rawValue)"])
        } else {
            PipelineLogging.inbox.warning("filed in failed/", metadata: ["item": "\(DisplayText.escaped(item.path))", "error": "\(DisplayText.escaped(outcome.error?.message ?? "failed"))"])
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
