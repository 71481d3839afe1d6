/// The operations of this build: MediaOps' implementations behind the
/// pipeline's seams (`StageOperations.swift`).
extension PipelineOperations {
    public static var standard: PipelineOperations {
        PipelineOperations()
    }
}
