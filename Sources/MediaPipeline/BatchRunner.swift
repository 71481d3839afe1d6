import Foundation
import MediaLibrary
import MediaOps

/// One thing for `batch` or `watch` to ingest: a media source, or a
/// generation manifest (whose result and parents it names).
public enum BatchItem: Sendable, Equatable {
    case media(String)
    case manifest(String)
    /// Media reached through a symbolic link whose file is outside the folder given: processed, with a note saying so.
    case linkedMedia(String, note: String)
    /// Found but not processed, with the reason (a FIFO, an extension that is not media):
    /// reported as skipped so that every input is either processed or reported.
    case passedOver(String, reason: String)

    public var name: String {
        switch self {
        case .media(let name), .manifest(let name), .linkedMedia(let name, _), .passedOver(let name, _): return name
        }
    }
}

/// Where a batch stands, for a progress display.
public struct BatchProgress: Sendable {
    public var done: Int
    public var total: Int
    public var failed: Int
    public var elapsed: TimeInterval
    /// The items being worked on now.
    public var current: [String]

    public init(done: Int, total: Int, failed: Int, elapsed: TimeInterval, current: [String]) {
        self.done = done
        self.total = total
        self.failed = failed
        self.elapsed = elapsed
        self.current = current
    }
}

/// The outcome of a batch: SPEC section 4's `batch` JSON.
public struct BatchReport: Sendable {
    public var outcomes: [IngestOutcome]

    public init(outcomes: [IngestOutcome]) { self.outcomes = outcomes }

    public var processed: Int { outcomes.count }
    public var succeeded: Int { outcomes.filter { $0.status == .succeeded }.count }
    public var failed: Int { outcomes.filter { $0.status == .failed }.count }
    public var skipped: Int { outcomes.filter { $0.status == .skipped }.count }
}

/// Runs the pipeline over many items with a bounded number in flight.
///
/// Each item runs on a dispatch thread (the work blocks in libav and SQLite),
/// at most `jobs` at a time; results come back in input order. Media files
/// run before manifests, so a manifest in the same batch finds its result and
/// parents already done and only records the generation.
public struct BatchRunner: Sendable {
    public var runner: PipelineRunner
    public var options: PipelineRunner.Options
    public var jobs: Int

    public init(runner: PipelineRunner, options: PipelineRunner.Options, jobs: Int) {
        self.runner = runner
        self.options = options
        self.jobs = max(1, jobs)
    }

    /// Every media file under `folder` (recursively, hidden files skipped) and
    /// every generation manifest (`.json` with `provider_id` and `operation_type`), sorted by path.
    public static func items(inFolder folder: String) throws(PipelineError) -> [BatchItem] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError(subject: folder, code: .invalidArgument, message: "no such folder")
        }
        let root = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
            throw PipelineError(subject: folder, code: .invalidArgument, message: "cannot list the folder")
        }
        let resolvedRoot = ManifestConfinement.resolved(root.path)
        var items: [BatchItem] = []
        for case let url as URL in enumerator {
            let path = url.path
            var entry = stat(), target = stat()
            guard lstat(path, &entry) == 0 else { continue }
            let isLink = (entry.st_mode & S_IFMT) == S_IFLNK
            if (entry.st_mode & S_IFMT) == S_IFDIR { continue }
            // A link is followed (stat), and judged by what it points to.
            guard stat(path, &target) == 0 else {
                items.append(.passedOver(path, reason: "symbolic link to a missing file; not processed"))
                continue
            }
            if (target.st_mode & S_IFMT) == S_IFDIR {
                if isLink { items.append(.passedOver(path, reason: "symbolic link to a folder; folders behind links are not walked")) }
                continue
            }
            guard (target.st_mode & S_IFMT) == S_IFREG else {
                items.append(.passedOver(path, reason: "is \(FileKind.describe(target.st_mode)), not a regular file; not processed"))
                continue
            }
            let ext = url.pathExtension.lowercased()
            if ext == "json" {
                if GenerationManifest.looksLikeManifest(path) {
                    items.append(.manifest(path))
                } else {
                    items.append(.passedOver(path, reason: "JSON that is not a generation manifest (no provider_id and operation_type); not processed"))
                }
            } else if mediaExtensions.contains(ext) {
                let real = ManifestConfinement.resolved(path)
                if isLink && !real.hasPrefix(resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/") {
                    items.append(.linkedMedia(path, note: "symbolic link to \(DisplayText.escaped(real, maximumLength: 160)), outside \(folder)"))
                } else {
                    items.append(.media(path))
                }
            } else {
                items.append(.passedOver(path, reason: "extension '.\(DisplayText.escaped(ext, maximumLength: 20))' is not one batch reads as media; not processed"))
            }
        }
        return items.sorted { $0.name < $1.name }
    }

    /// The sources listed in a text file, one per line (paths relative to the
    /// list's folder, or URLs); blank lines and `#` comments are skipped.
    public static func items(inListFile path: String) throws(PipelineError) -> [BatchItem] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PipelineError(subject: path, code: .invalidArgument, message: "cannot read the list file")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let entry = line.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty || entry.hasPrefix("#") { return nil }
            let lowered = entry.lowercased()
            let isURL = lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("file://")
            let resolved = isURL || entry.hasPrefix("/") ? entry : base.appendingPathComponent(entry).standardizedFileURL.path
            return entry.lowercased().hasSuffix(".json") && !isURL ? .manifest(resolved) : .media(resolved)
        }
    }

    /// File extensions `batch` treats as media when walking a folder.
    public static let mediaExtensions: Set<String> = [
        "mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mts", "m2ts", "flv", "3gp", "3g2", "mpg", "mpeg", "wmv",
        "ogv", "gif", "png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "mp3", "wav", "m4a", "aac", "flac",
        "ogg", "opus", "y4m",
    ]

    /// Runs every item; `progress` is called after each one finishes.
    public func run(_ items: [BatchItem], progress: @escaping @Sendable (BatchProgress) -> Void = { _ in }) async -> BatchReport {
        _ = try? runner.store.markInterruptedRuns()
        // Two phases: every media file, then every manifest, so that a manifest's
        // parents named by hash are in the library before it is read.
        let isManifest = items.map { item -> Bool in if case .manifest = item { return true } else { return false } }
        let phases = [items.indices.filter { !isManifest[$0] }, items.indices.filter { isManifest[$0] }]
        let started = Date()
        var results = [IngestOutcome?](repeating: nil, count: items.count)
        var done = 0
        var failed = 0
        let runner = self.runner
        let options = self.options
        let jobs = self.jobs
        progress(BatchProgress(done: 0, total: items.count, failed: 0, elapsed: 0, current: []))
        for phase in phases where !phase.isEmpty {
            var inFlight: [Int: String] = [:]
            await withTaskGroup(of: (Int, IngestOutcome).self) { group in
                var next = phase.makeIterator()
                func startNext() -> Bool {
                    guard let index = next.next() else { return false }
                    let item = items[index]
                    inFlight[index] = item.name
                    group.addTask {
                        let outcome = await Self.onBlockingThread { Self.process(item, runner: runner, options: options) }
                        return (index, outcome)
                    }
                    return true
                }
                for _ in 0..<jobs where !startNext() { break }
                while let (index, outcome) = await group.next() {
                    results[index] = outcome
                    inFlight[index] = nil
                    done += 1
                    if outcome.status == .failed { failed += 1 }
                    _ = startNext()
                    progress(BatchProgress(done: done, total: items.count, failed: failed,
                                           elapsed: Date().timeIntervalSince(started), current: Array(inFlight.values)))
                }
            }
        }
        return BatchReport(outcomes: results.compactMap { $0 })
    }

    /// Ingests one item (blocking).
    public static func process(_ item: BatchItem, runner: PipelineRunner, options: PipelineRunner.Options) -> IngestOutcome {
        switch item {
        case .media(let text):
            do {
                return runner.ingest(try MediaSource(text), options: options, displayName: text)
            } catch {
                return IngestOutcome(path: text, assetID: nil, sha256: nil, status: .failed, error: error, stages: [])
            }
        case .linkedMedia(let text, let note):
            var outcome = process(.media(text), runner: runner, options: options)
            outcome.warnings.append(note)
            return outcome
        case .passedOver(let text, let reason):
            var outcome = IngestOutcome(path: text, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
            outcome.warnings.append(reason)
            return outcome
        case .manifest(let path):
            do {
                let manifest = try GenerationManifest.load(path)
                return runner.ingestGeneration(manifest, options: options, displayName: path)
            } catch {
                return IngestOutcome(path: path, assetID: nil, sha256: nil, status: .failed, error: error, stages: [])
            }
        }
    }

    /// Runs blocking work on a dispatch thread so the cooperative pool stays free.
    static func onBlockingThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
