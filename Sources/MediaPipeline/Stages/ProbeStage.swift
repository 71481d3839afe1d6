import Foundation
import MediaLibrary
import MediaOps

/// Enrichment: container, codecs, duration, size, audio, into the asset row.
struct ProbeStage: AssetStage {
    static let name = "probe"
    static let version = 1
    static let records = "assets (media_type, size, duration, fps, frame_count, media_metadata), asset_audio_metadata"
    static func applies(to mediaType: String) -> Bool { true }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let assetID = job.asset.assetID
        let probe = try job.context.probe ?? MediaProbe.probe(job.input)
        job.context.probe = probe
        let description = Self.describe(probe)
        return try job.store.completeStageRun(id: job.stageRunID, status: .succeeded, result: nil, assetID: assetID,
                                              writing: .description(description))
    }

    static func describe(_ probe: ProbeResult) -> AssetDescription {
        let audio = probe.audio.map { info in
            AudioMetadata(assetID: 0, sampleRate: info.sampleRate, channels: info.channels, bitrate: info.bitRate,
                          codec: info.codec,
                          extra: PipelineRunner.json(["channel_layout": info.channelLayout, "sample_format": info.sampleFormat, "profile": info.profile]))
        }
        return AssetDescription(
            mediaType: probe.mediaType, mimeType: probe.mimeType, width: probe.video?.displayWidth,
            height: probe.video?.displayHeight, durationSec: probe.durationSec, fps: probe.video?.fps,
            frameCount: probe.video?.frameCount, mediaMetadata: PipelineRunner.json(probe), audio: audio)
    }
}

extension PipelineStage {
    public static let probe = PipelineStage(ProbeStage.self)
}
