/// A record read from (or inserted into) the library, which therefore has its row id.
public protocol StoredRecord {
    var id: Int64? { get }
}

extension StoredRecord {
    /// The row id. A record that was never stored has none: using it as if it
    /// had (as id 0) would silently write or read the wrong rows, so that is a
    /// programming error that stops here.
    public var storedID: Int64 {
        guard let id else { preconditionFailure("\(Self.self) used before it was stored: it has no row id") }
        return id
    }
}

extension Asset: StoredRecord {}
extension AssetBranch: StoredRecord {}
extension BranchVariant: StoredRecord {}
extension AssetClip: StoredRecord {}
extension AssetTemporalSegment: StoredRecord {}
extension Generation: StoredRecord {}
extension LineageEdge: StoredRecord {}
extension PipelineRun: StoredRecord {}
extension StageRun: StoredRecord {}
