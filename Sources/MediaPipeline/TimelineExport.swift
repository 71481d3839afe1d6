import Foundation
import LibAV
import MediaLibrary
import MediaOps

/// A rendered timeline written for editors: an OpenTimelineIO document
/// (`.otio`, JSON) or a CMX 3600 EDL, both at the timeline's frame rate.
///
/// Transitions sit on the cut between two clips as editors model them: a
/// transition of N frames takes `N / 2` frames (rounded down) before the cut
/// (`in_offset`, from the outgoing clip's handle) and the rest after it
/// (`out_offset`), so the clips abut and the record positions are those of
/// the rendered file. A fade through black is an OTIO `Custom_Transition`
/// named `fade_black`; in the EDL it is a dissolve with a comment saying so.
public enum TimelineExport {
    public enum Format: String, Sendable, CaseIterable {
        case otio, edl
    }

    /// One clip as placed on the record side, in frames.
    struct Placement {
        var name: String
        var reel: String
        var target: String
        var assetID: Int64
        /// Source frames shown on the record side from the cut before to the cut after.
        var sourceStart: Int
        var duration: Int
        var recordStart: Int
        /// Frames before and after the cut into this clip.
        var inOffset: Int
        var outOffset: Int
        var transition: TimelineTransition
    }

    static func placements(_ timeline: ResolvedTimeline, _ result: TimelineResult) -> [Placement] {
        var placements: [Placement] = []
        var record = 0
        for (index, (item, placed)) in zip(timeline.items, result.placements).enumerated() {
            let overlap = item.transitionIn.frames
            let before = overlap / 2, after = overlap - before
            let next = index + 1 < timeline.items.count ? timeline.items[index + 1].transitionIn.frames : 0
            let trimmedEnd = placed.frames - (next - next / 2)
            let start = before
            let duration = trimmedEnd - start
            placements.append(Placement(name: item.name, reel: reel(item.asset.assetID), target: URL(fileURLWithPath: item.path).absoluteString,
                                        assetID: item.asset.assetID, sourceStart: placed.sourceStartFrame + start, duration: duration,
                                        recordStart: record, inOffset: before, outOffset: after, transition: item.transitionIn))
            record += duration
        }
        return placements
    }

    /// Writes the export of `timeline` (as `result` rendered it) to `path`, through a temporary file.
    public static func write(_ format: Format, timeline: ResolvedTimeline, result: TimelineResult, name: String, to path: String) throws(MediaError) {
        let text: String
        switch format {
        case .otio: text = openTimelineIO(timeline, result, name: name)
        case .edl: text = edl(timeline, result, name: name)
        }
        let destination = try OutputDestination(path: path, inputs: timeline.items.map(\.path))
        defer { destination.discardIfUncommitted() }
        guard FileManager.default.createFile(atPath: destination.temporaryPath, contents: Data(text.utf8)) else {
            throw MediaError(path: path, code: .outputUnwritable, message: "cannot write the \(format.rawValue) export")
        }
        try destination.commit()
    }

    // MARK: OpenTimelineIO

    struct RationalTime: Encodable {
        let schema = "RationalTime.1"
        var rate: Double
        var value: Double
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", rate, value }
    }

    struct TimeRange: Encodable {
        let schema = "TimeRange.1"
        var start: RationalTime
        var duration: RationalTime
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", start = "start_time", duration }
    }

    struct ExternalReference: Encodable {
        let schema = "ExternalReference.1"
        var name = ""
        var target: String
        var metadata: [String: String] = [:]
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", name, target = "target_url", availableRange = "available_range", metadata }
        func encode(to encoder: any Swift.Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schema, forKey: .schema)
            try container.encode(name, forKey: .name)
            try container.encode(target, forKey: .target)
            try container.encodeNil(forKey: .availableRange)
            try container.encode(metadata, forKey: .metadata)
        }
    }

    struct ClipMetadata: Encodable {
        var pixsim: [String: Int64]
    }

    enum TrackChild: Encodable {
        struct Clip: Encodable {
            let schema = "Clip.2"
            var name: String
            var sourceRange: TimeRange
            var mediaReferences: [String: ExternalReference]
            let activeKey = "DEFAULT_MEDIA"
            var metadata: ClipMetadata
            var effects: [String] = []
            var markers: [String] = []
            var enabled = true
            enum CodingKeys: String, CodingKey {
                case schema = "OTIO_SCHEMA", name, sourceRange = "source_range", mediaReferences = "media_references"
                case activeKey = "active_media_reference_key", metadata, effects, markers, enabled
            }
        }
        struct Transition: Encodable {
            let schema = "Transition.1"
            var name: String
            var type: String
            var inOffset: RationalTime
            var outOffset: RationalTime
            var metadata: [String: [String: String]]
            enum CodingKeys: String, CodingKey {
                case schema = "OTIO_SCHEMA", name, type = "transition_type", inOffset = "in_offset", outOffset = "out_offset", metadata
            }
        }
        case clip(Clip)
        case transition(Transition)
        func encode(to encoder: any Swift.Encoder) throws {
            switch self {
            case .clip(let clip): try clip.encode(to: encoder)
            case .transition(let transition): try transition.encode(to: encoder)
            }
        }
    }

    struct Track: Encodable {
        let schema = "Track.1"
        var name = "Video"
        let kind = "Video"
        var children: [TrackChild]
        var metadata: [String: String] = [:]
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", name, kind, children, metadata }
    }

    struct Stack: Encodable {
        let schema = "Stack.1"
        var name = "tracks"
        var children: [Track]
        var metadata: [String: String] = [:]
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", name, children, metadata }
    }

    struct Timeline: Encodable {
        let schema = "Timeline.1"
        var name: String
        var tracks: Stack
        var metadata: [String: String] = [:]
        enum CodingKeys: String, CodingKey { case schema = "OTIO_SCHEMA", name, tracks, metadata, globalStart = "global_start_time" }
        func encode(to encoder: any Swift.Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schema, forKey: .schema)
            try container.encode(name, forKey: .name)
            try container.encode(tracks, forKey: .tracks)
            try container.encode(metadata, forKey: .metadata)
            try container.encodeNil(forKey: .globalStart)
        }
    }

    /// The OpenTimelineIO JSON of the timeline (JSONEncoder escapes every name).
    static func openTimelineIO(_ timeline: ResolvedTimeline, _ result: TimelineResult, name: String) -> String {
        let rate = result.frameRate.doubleValue
        func time(_ frames: Int) -> RationalTime { RationalTime(rate: rate, value: Double(frames)) }
        var children: [TrackChild] = []
        for placement in placements(timeline, result) {
            if placement.transition.kind != .cut {
                let crossfade = placement.transition.kind == .crossfade
                children.append(.transition(.init(name: crossfade ? "crossfade" : "fade_black", type: crossfade ? "SMPTE_Dissolve" : "Custom_Transition",
                                                  inOffset: time(placement.inOffset), outOffset: time(placement.outOffset),
                                                  metadata: ["pixsim": ["type": placement.transition.kind.rawValue]])))
            }
            children.append(.clip(.init(name: placement.name, sourceRange: TimeRange(start: time(placement.sourceStart), duration: time(placement.duration)),
                                        mediaReferences: ["DEFAULT_MEDIA": ExternalReference(target: placement.target)],
                                        metadata: ClipMetadata(pixsim: ["asset_id": placement.assetID]))))
        }
        let document = Timeline(name: name, tracks: Stack(children: [Track(children: children)]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document)) ?? Data(), as: UTF8.self) + "\n"
    }

    // MARK: CMX 3600

    /// A reel name CMX 3600 accepts: at most 8 letters and digits.
    static func reel(_ assetID: Int64) -> String { String("A\(assetID)".prefix(8)) }

    /// A comment value on one line: control characters and non-ASCII replaced.
    static func commentText(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? $0 : "_" }).prefix(120))
    }

    static func timecode(_ frames: Int, rate: Int) -> String {
        let f = frames % rate, seconds = frames / rate
        return String(format: "%02d:%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60, f)
    }

    /// The CMX 3600 EDL of the timeline: one event per clip; a transition is a
    /// dissolve event (`D` and its length) from the outgoing clip, starting at
    /// the transition's first frame.
    static func edl(_ timeline: ResolvedTimeline, _ result: TimelineResult, name: String) -> String {
        let rate = max(1, Int(result.frameRate.doubleValue.rounded()))
        func tc(_ frames: Int) -> String { timecode(frames, rate: rate) }
        var lines = ["TITLE: \(commentText(name))", "FCM: NON-DROP FRAME", ""]
        let all = placements(timeline, result)
        var record = 0
        for (index, placement) in all.enumerated() {
            let event = String(format: "%03d", index + 1)
            let recordOut = (index + 1 < all.count ? all[index + 1].recordStart - all[index + 1].inOffset : result.frames)
            let sourceIn = placement.sourceStart - placement.inOffset
            let transitionFrames = placement.transition.frames
            if transitionFrames > 0 {
                let previous = all[index - 1]
                let outgoingAt = previous.sourceStart + previous.duration - placement.inOffset
                let padded = "V     C        "
                lines.append("\(event)  \(previous.reel.padding(toLength: 8, withPad: " ", startingAt: 0)) \(padded)\(tc(outgoingAt)) \(tc(outgoingAt)) \(tc(record)) \(tc(record))")
                lines.append("\(event)  \(placement.reel.padding(toLength: 8, withPad: " ", startingAt: 0)) V     D    \(String(format: "%03d", transitionFrames)) "
                             + "\(tc(sourceIn)) \(tc(sourceIn + recordOut - record)) \(tc(record)) \(tc(recordOut))")
                if placement.transition.kind == .fadeBlack { lines.append("* PIXSIM TRANSITION: FADE_BLACK") }
            } else {
                lines.append("\(event)  \(placement.reel.padding(toLength: 8, withPad: " ", startingAt: 0)) V     C        "
                             + "\(tc(sourceIn)) \(tc(sourceIn + recordOut - record)) \(tc(record)) \(tc(recordOut))")
            }
            lines.append("* FROM CLIP NAME: \(commentText(placement.name))")
            lines.append("")
            record = recordOut
        }
        return lines.joined(separator: "\n")
    }
}
