import Dispatch
import LibAV
import Synchronization

/// A stretch of the video that one worker decodes on its own: from a
/// keyframe up to (not including) the frame shown at the next chunk's keyframe.
struct DecodeChunk: Sendable, Equatable {
    /// The keyframe's index timestamp to seek to; nil for the first chunk, decoded from the file's start.
    var seekTimestamp: Int64?
    /// Presentation timestamp of the chunk's keyframe: frames shown before it
    /// (an open GOP's leading pictures) belong to the previous chunk. Nil for the first chunk.
    var start: Int64?
    /// The next chunk's `start`: the first frame that is no longer this chunk's. Nil for the last chunk.
    var end: Int64?
    /// Bytes of the chunk in the file: the estimate of its decoding work.
    var bytes: Int64 = 0
}

/// What one worker measured of one chunk, and whether it is trustworthy.
struct ChunkMeasures: Sendable {
    var measures: FrameMeasures
    var firstLuma: [UInt8]?
    var lastLuma: [UInt8]?
    /// The chunk ran to its end: a frame at or after `end` came out, or the stream ended (last chunk).
    var complete: Bool
    var damagedPackets: Int
    var firstDamage: AVError?
    /// Candidate stills per window (see ``StillCollector``).
    var stills: [[StillCandidate]]
}

/// Measures a video in keyframe-aligned chunks on several cores at once, each
/// worker with its own demuxer and decoder, taking the largest chunks first.
///
/// Why not simply let libav's frame threads use the cores: frame threads wait
/// on each other's reference rows, and the per-frame analysis runs on the
/// thread that feeds them, so neither the decoder nor the analysis keeps two
/// cores busy. Independent chunks do: the decoding work is the same as one
/// sequential pass (plus a keyframe and its leading pictures at each join),
/// the analysis runs beside it on every core, and the joins are exact because
/// frames come out of a decoder in presentation order (a chunk whose frames do
/// not is refused, and the whole video is then decoded sequentially).
///
/// Used only when the container's index gives each keyframe's position
/// (MP4/MOV) and the joins check out; ``measure(path:streamIndex:chunks:width:height:workers:stillWindows:)``
/// returns nil otherwise and the caller decodes sequentially.
enum ChunkedMeasuring {
    /// Chunks planned per worker. A group of pictures is the smallest chunk, and small ones are merged
    /// up to the byte target: with three per worker the merging left one worker alone at the end more
    /// often. Measured with four against three on the segments benchmark's clips (three runs, medians of
    /// 5-7 each, ratios to ffmpeg's decode): H.264 720p 0.88-0.90x -> 0.84-0.87x, 1080p 0.86-0.89x ->
    /// 0.83-0.90x (mixed), HEVC 540p within the noise.
    static let chunksPerWorker = 4

    /// Plans about `parts` chunks of similar byte size at the stream's
    /// indexed keyframes; fewer (or one) when the index has few keyframes.
    /// Reads packets of `input` to learn the keyframes' presentation times:
    /// `movedInput` says when `input` was left somewhere in the file.
    static func plan(input: InputFile, streamIndex: Int, parts: Int) -> (chunks: [DecodeChunk], movedInput: Bool) {
        let entries = (try? input.indexEntries(stream: streamIndex)) ?? []
        let keyframes = entries.filter { $0.isKeyframe && !$0.isDiscard }
        guard parts > 1, keyframes.count > 1, let first = keyframes.first, let last = entries.last else { return ([DecodeChunk()], false) }
        let totalBytes = max(1, last.position + Int64(last.size) - first.position)
        let target = totalBytes / Int64(parts)
        var boundaries: [IndexEntry] = []
        var chunkStart = first.position
        for keyframe in keyframes.dropFirst() where keyframe.position - chunkStart >= target && totalBytes - (keyframe.position - first.position) >= target / 2 {
            boundaries.append(keyframe)
            chunkStart = keyframe.position
        }
        // Each join needs the keyframe's presentation time: seek near it and read up to its packet
        // (the index holds decode times, and demuxers seek by presentation time, so the
        // seek may land a keyframe early). The workers then seek to that presentation time.
        guard !boundaries.isEmpty, let packet = try? Packet() else { return ([DecodeChunk()], false) }
        var starts: [(pts: Int64, position: Int64)] = []
        for boundary in boundaries {
            guard (try? input.seek(stream: streamIndex, toKeyframeBefore: boundary.timestamp)) != nil,
                  let pts = keyframePresentationTime(input: input, streamIndex: streamIndex, packet: packet, position: boundary.position),
                  pts > (starts.last?.pts ?? Int64.min) else { continue }
            starts.append((pts, boundary.position))
        }
        let fileEnd = last.position + Int64(last.size)
        var chunks = [DecodeChunk(seekTimestamp: nil, start: nil, end: starts.first?.pts, bytes: (starts.first?.position ?? fileEnd) - first.position)]
        for (i, start) in starts.enumerated() {
            let next = i + 1 < starts.count ? starts[i + 1] : nil
            chunks.append(DecodeChunk(seekTimestamp: start.pts, start: start.pts, end: next?.pts,
                                      bytes: (next?.position ?? fileEnd) - start.position))
        }
        return (chunks, true)
    }

    /// Frame threads per worker's decoder: one when no chunk is more than a worker's share of the bytes
    /// (the workers then stay busy side by side to the end, and frame threads only add their
    /// synchronisation, about a tenth more CPU), two when one is (a video of two groups of pictures, 80 %
    /// and 20 %: its last worker then still keeps two cores busy). Measured with four chunks per worker on
    /// the segments benchmark (medians of 5 runs, ratio to ffmpeg's decode): H.264 720p 0.84x with two
    /// threads, 0.80x with one; 1080p 0.84x, 0.83x; HEVC 540p equal; video-h265.mp4 (80/20) 0.87x with
    /// two, 1.21x with one.
    static func frameThreads(for chunks: [DecodeChunk], workers: Int) -> Int {
        let total = chunks.reduce(Int64(0)) { $0 + $1.bytes }
        let largest = chunks.map(\.bytes).max() ?? 0
        return largest * Int64(max(1, workers)) > total ? 2 : 1
    }

    /// The pts of the stream's keyframe packet at `position`, reading forward to it.
    private static func keyframePresentationTime(input: InputFile, streamIndex: Int, packet: Packet, position: Int64) -> Int64? {
        while true {
            packet.unreference()
            guard let result = try? input.read(into: packet), result == .packet else { return nil }
            guard packet.streamIndex == streamIndex, packet.position >= position else { continue }
            guard packet.position == position, packet.isKeyframe, packet.pts != Timestamp.none else { return nil }
            return packet.pts
        }
    }

    /// Measures `chunks` of the video stream with `workers` workers and joins
    /// the parts, or returns nil when any part failed or a join does not fit
    /// exactly (then decode sequentially, which tolerates what this cannot).
    static func measure(path: String, streamIndex: Int, chunks: [DecodeChunk], width: Int, height: Int, workers: Int,
                        stillWindows: [StillWindow] = []) -> MeasuredVideo? {
        guard chunks.count > 1 else { return nil }
        // Largest first, so that no big chunk is left for the end while the other workers idle.
        let order = chunks.indices.sorted { chunks[$0].bytes > chunks[$1].bytes }
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let results = Mutex<[Int: ChunkMeasures]>([:])
        // Candidate stills are merged as chunks finish, so the frames held stay as few as in one pass.
        let stills = Mutex<[[StillCandidate]]>(Array(repeating: [], count: stillWindows.count))
        let keep = StillCollector.keep(forPixels: width * height)
        let decoderThreads = frameThreads(for: chunks, workers: workers)
        DispatchQueue.concurrentPerform(iterations: min(workers, chunks.count)) { _ in
            var worker: ChunkWorker?
            while true {
                let taken = next.add(1, ordering: .relaxed).oldValue
                guard taken < order.count, !failed.load(ordering: .relaxed) else { return }
                let index = order[taken]
                // The first chunk starts at the file's start, where only a fresh demuxer is.
                if worker == nil || chunks[index].seekTimestamp == nil {
                    worker = try? ChunkWorker(path: path, streamIndex: streamIndex, threads: decoderThreads)
                }
                guard let worker, let outcome = worker.measure(chunks[index], width: width, height: height, stillWindows: stillWindows) else {
                    failed.store(true, ordering: .relaxed)
                    return
                }
                var measured = outcome
                if !stillWindows.isEmpty {
                    stills.withLock { $0 = StillCollector.merge($0, outcome.stills, windows: stillWindows, keep: keep) }
                    measured.stills = []
                }
                results.withLock { $0[index] = measured }
            }
        }
        let parts = results.withLock { $0 }
        guard parts.count == chunks.count else { return nil }
        var joined: FrameMeasures?
        var damaged = 0
        var firstDamage: AVError?
        var previousLuma: [UInt8]?
        for (index, chunk) in chunks.enumerated() {
            guard let part = parts[index], part.complete else { return nil }
            if let start = chunk.start, part.measures.timestamps.first != start { return nil }
            damaged += part.damagedPackets
            if firstDamage == nil { firstDamage = part.firstDamage }
            var measures = part.measures
            if let previousLuma, let firstLuma = part.firstLuma, !measures.motions.isEmpty {
                // Motion across the join, which neither worker saw.
                let size = AnalysisShrinker.analysisSize(sourceWidth: width, sourceHeight: height)
                measures.motions[0] = GlobalMotionEstimator.motion(from: previousLuma, to: firstLuma, width: size.width, height: size.height)
            }
            if joined == nil { joined = measures } else { joined?.append(measures) }
            if part.lastLuma != nil { previousLuma = part.lastLuma }
        }
        guard let joined else { return nil }
        return MeasuredVideo(measures: joined, damagedPackets: damaged, firstDamage: firstDamage, stills: stills.withLock { $0 })
    }
}

/// Every frame's measures, joined in presentation order, with the candidate stills.
struct MeasuredVideo: Sendable {
    var measures: FrameMeasures
    var damagedPackets: Int
    var firstDamage: AVError?
    /// Per still window, the candidates every part of the pass kept.
    var stills: [[StillCandidate]]
}

/// One worker's demuxer and decoder, reused for the chunks it takes.
private final class ChunkWorker {
    let reader: FrameReader

    /// - Parameter threads: the decoder's frame threads (``ChunkedMeasuring/frameThreads(for:workers:)``).
    init(path: String, streamIndex: Int, threads: Int) throws {
        // Opened as the probe opens: no decoding to learn what the headers say.
        let input = try MediaProbe.openDescribed(path).input
        let stream = try input.stream(at: streamIndex)
        var options = DecoderOptions()
        options.threadCount = threads
        options.skipLoopFilter = true
        reader = try FrameReader(input: input, stream: stream, options: options)
    }

    /// Decodes `chunk`, measuring its frames; nil when decoding failed, a frame
    /// has no timestamp or frames come out of presentation order (then the
    /// chunk's bounds could not be trusted).
    func measure(_ chunk: DecodeChunk, width: Int, height: Int, stillWindows: [StillWindow]) -> ChunkMeasures? {
        let damageBefore = reader.damagedPackets
        do {
            if let seek = chunk.seekTimestamp { try reader.seek(toKeyframeBefore: seek) }
            let pass = MeasuringPass(sourceWidth: width, sourceHeight: height, stillWindows: stillWindows)
            var complete = chunk.end == nil
            var previous = Int64.min
            while let frame = try reader.nextFrame() {
                let timestamp = reader.presentationTimestamp(of: frame)
                guard timestamp != Timestamp.none, timestamp > previous else { return nil }
                previous = timestamp
                if let start = chunk.start, timestamp < start { continue }
                if let end = chunk.end, timestamp >= end { complete = true; break }
                try pass.measure(frame, timestamp: timestamp)
            }
            return ChunkMeasures(measures: pass.measures, firstLuma: pass.firstLuma,
                                 lastLuma: pass.frameCount > 0 ? pass.lastLuma : nil, complete: complete,
                                 damagedPackets: reader.damagedPackets - damageBefore,
                                 firstDamage: reader.damagedPackets > damageBefore ? reader.firstDamage : nil,
                                 stills: pass.stills?.candidates ?? [])
        } catch {
            return nil
        }
    }
}

@available(*, unavailable, message: "A ChunkWorker owns libav objects that must stay on its thread.")
extension ChunkWorker: Sendable {}
