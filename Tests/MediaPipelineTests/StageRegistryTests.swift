import Foundation
import MediaPipeline
import Testing

/// The stages come from one registry: names, order, versions and `--stages` parsing.
@Suite struct StageRegistryTests {
    @Test func stagesInPipelineOrder() throws {
        #expect(PipelineStage.allCases.map(\.name) == ["sync", "probe", "thumbnail", "keyframes", "segments", "loops", "variants"])
        // loops decodes the video once more for a result few assets need, variants re-encodes it: asked for by name only.
        #expect(PipelineOperations.standard.defaultStages.map(\.name) == ["sync", "probe", "thumbnail", "keyframes", "segments"])
        #expect(PipelineStage.allCases == PipelineStage.allCases.sorted())
        #expect(PipelineStage.allCases.allSatisfy { $0.version >= 1 && $0.stateKey == "\($0.name)@\($0.version)" })
        #expect(PipelineStage(name: "segments") == .segments && PipelineStage(name: "colour") == nil)
    }

    @Test func parsingAddsSyncAndSortsAndRefusesUnknownNames() throws {
        #expect(try PipelineStage.parseList("segments, probe") == [.sync, .probe, .segments])
        #expect(throws: PipelineError.self) { try PipelineStage.parseList("probe,colour") }
        let encoded = try JSONEncoder().encode([PipelineStage.keyframes])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["keyframes"]"#)
        #expect(try JSONDecoder().decode([PipelineStage].self, from: encoded) == [.keyframes])
    }
}
