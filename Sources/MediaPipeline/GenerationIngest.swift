import Foundation
import MediaLibrary

extension PipelineRunner {
    /// Ingests a completed generation: its parents given by path first, then
    /// its result, then the `generations` row and one lineage edge per parent.
    ///
    /// Paths the manifest names are confined by `options.manifestConfinement`.
    /// Parents named by `asset_id` or `sha256` must already be in the library;
    /// an unknown parent fails the generation before anything is recorded, so
    /// no result is left without its lineage.
    /// - Parameters:
    ///   - result: the result source when given on the command line (else the manifest's `result`).
    ///   - displayName: how the item is named in outcomes (the manifest's path).
    public func ingestGeneration(_ manifest: GenerationManifest, result override: MediaSource? = nil, options: Options,
                                 displayName: String) -> IngestOutcome {
        func failure(_ error: PipelineError) -> IngestOutcome {
            IngestOutcome(path: displayName, assetID: nil, sha256: nil, status: .failed, error: error, stages: [])
        }
        var parents: [GenerationParent] = []
        for (position, parent) in manifest.parents.enumerated() {
            let label = "parent \(position) (\(parent.role))"
            switch parent.reference {
            case .assetID(let id):
                // A database failure is reported as itself, not as an unknown parent.
                let found: Asset?
                do { found = try store.asset(id: id) } catch { return failure(PipelineError(error)) }
                guard let asset = found else {
                    return failure(PipelineError(subject: displayName, code: .unknownParent,
                                                 message: "\(label): no asset with id \(id) in the library"))
                }
                parents.append(link(parent, asset))
            case .sha256(let sha):
                let asset: Asset
                do { asset = try store.resolveAsset(sha) } catch where error.code == .notFound || error.code == .invalidArgument {
                    return failure(PipelineError(subject: displayName, code: .unknownParent,
                                                 message: "\(label): no asset with SHA-256 \(sha) in the library"))
                } catch {
                    return failure(PipelineError(error))
                }
                parents.append(link(parent, asset))
            case .source(let text):
                let source: MediaSource
                do { source = try options.manifestConfinement.source(text, in: manifest, label: label, subject: displayName) } catch {
                    return failure(error)
                }
                if case .file(let path) = source, !FileManager.default.fileExists(atPath: path) {
                    return failure(PipelineError(subject: displayName, code: .unknownParent,
                                                 message: "\(label): \(path): no such file"))
                }
                let parentOutcome = ingest(source, options: options)
                let found: Asset?
                do { found = try parentOutcome.assetID.flatMap { try store.asset(id: $0) } } catch { return failure(PipelineError(subject: displayName, error)) }
                guard let asset = found else {
                    return failure(PipelineError(subject: displayName, code: .unknownParent,
                                                 message: "\(label): \(parentOutcome.error?.message ?? "could not be ingested")"))
                }
                parents.append(link(parent, asset))
            }
        }

        let resultSource: MediaSource
        if let override {
            resultSource = override
        } else if let text = manifest.result {
            do { resultSource = try options.manifestConfinement.source(text, in: manifest, label: "result", subject: displayName) } catch {
                return failure(error)
            }
        } else {
            return failure(PipelineError(subject: displayName, code: .invalidManifest,
                                         message: "the manifest has no \"result\" and no source was given"))
        }
        var outcome = ingest(resultSource, options: options, displayName: displayName)
        outcome.warnings = manifest.warnings + outcome.warnings
        guard let resultID = outcome.assetID else { return outcome }
        do {
            if let url = manifest.resultURL { try store.rememberRemoteURL(url, assetID: resultID) }
            _ = try store.recordGeneration(Generation(
                providerID: manifest.providerID, providerJobID: manifest.providerJobID,
                operationType: manifest.operationType, prompt: manifest.prompt, params: manifest.paramsJSON,
                resultAssetID: resultID, submittedAt: manifest.submittedAt, completedAt: manifest.completedAt),
                parents: parents)
        } catch {
            outcome.status = .failed
            outcome.error = PipelineError(error)
        }
        return outcome
    }

    private func link(_ parent: GenerationManifest.Parent, _ asset: Asset) -> GenerationParent {
        GenerationParent(assetID: asset.assetID, role: parent.role, startTime: parent.startTime, endTime: parent.endTime,
                         frame: parent.frame, sequenceOrder: parent.sequenceOrder, transformation: parent.transformation)
    }
}
