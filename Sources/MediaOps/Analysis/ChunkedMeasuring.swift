import Dispatch
import LibAV
import Logging
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
    /// File position of the next chunk's keyframe when the join is closed (no picture after the
    /// keyframe in decoding order is shown before it): the worker stops reading there and drains
    /// its decoder. Otherwise (open joins, the last chunk) it decodes on until a frame at `end`
    /// comes out, which costs the next keyframe and the pictures the decoder's delay holds (on the
    /// 1080p benchmark clip, 7 % more bytes decoded, most of them on the largest chunk).
    var endPosition: Int64?
    /// Estimated decoding work: its packets' bytes and a charge per picture
    /// (``ChunkedMeasuring/pictureCostPerPixel``).
    var cost: Int64 = 0
}

/// What one worker measured of one chunk, and whether it is trustworthy.
struct ChunkMeasures: Sendable {
    var measures: FrameMeasures
    var firstLuma: [UInt8]?
    var lastLuma: [UInt8]?
    /// The chunk ran to its end: a frame at or after `end` came out, or the stream ended (last chunk).
    var complete: Bool
    /// The latest timestamp of the frames shown before the chunk's start that its decode gave: an
    /// open GOP's leading pictures, or frames of the previous chunk when the seek landed early. A
    /// leading picture later than the previous chunk's last frame is one that chunk did not decode
    /// (it stopped reading at this chunk's keyframe): the join is then refused.
    var latestLeadingFrame: Int64?
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
/// (MP4/MOV samples, Matroska/WebM cues) and the joins check out; ``measure(path:streamIndex:chunks:width:height:workers:stillWindows:)``
/// returns nil otherwise and the caller decodes sequentially.
enum ChunkedMeasuring {
    /// Chunks planned per worker: every group of pictures is a chunk of its own unless it is a small
    /// fraction of the work, when it is merged with the next. Joins at closed groups of pictures cost
    /// only a seek (``DecodeChunk/endPosition``), and small chunks let the workers finish together:
    /// the largest are taken first and the smallest fill the gaps at the end. Measured with sixteen
    /// against four on the segments benchmark's clips (medians of 11 runs, ratios to ffmpeg's decode):
    /// H.264 1080p 0.839x -> 0.765x (four merged its two last groups into a chunk that one worker
    /// decoded alone at the end), HEVC 540p 0.823x -> 0.777x; 720p within the noise.
    static let chunksPerWorker = 16

    /// Decoding work charged for each picture beside its packet's bytes, in bytes per pixel: motion
    /// compensation, the inverse transforms and the analysis cost per picture whatever its size in the
    /// file. Fitted on the 1080p benchmark clip's groups of pictures decoded alone (one thread, no loop
    /// filter): 0.13 s per MB and 2.8 ms per picture, that is about 21 KB per 2-megapixel picture. With
    /// bytes alone, two static groups of 120 pictures weighed as little as 4 % of the work and were
    /// merged into one chunk left for the end, when they took 11 % of the time.
    static let pictureCostPerPixel = 0.01

    /// Plans about `parts` chunks of similar decoding work (``DecodeChunk/cost``) at the
    /// stream's indexed keyframes; fewer (or one) when the index has few keyframes.
    /// Reads packets of `input` to learn the keyframes' presentation times:
    /// `movedInput` says when `input` was left somewhere in the file.
    ///
    /// An index without packet sizes (Matroska's cues, read only on the first seek; until then the
    /// index holds the keyframes read so far) is planned on an input of its own, opened from `path`
    /// without stream info, so that a file that stays in one piece keeps `input` where it is.
    static func plan(path: String, input: InputFile, streamIndex: Int, parts: Int) -> (chunks: [DecodeChunk], movedInput: Bool) {
        guard parts > 1, let stream = try? input.stream(at: streamIndex) else { return ([DecodeChunk()], false) }
        let entries = stream.indexEntries
        if !entries.isEmpty && entries.allSatisfy({ $0.size > 0 }) {
            return plan(input: input, stream: stream, entries: entries, parts: parts)
        }
        guard let own = try? InputValidation.open(path), let ownStream = try? own.stream(at: streamIndex), ownStream.kind == .video else {
            return ([DecodeChunk()], false)
        }
        // Opened without stream info, the stream mostly does not know its start yet: its first keyframe is then
        // the one nearest 0 (a video that starts after 0 has none at or before it).
        do {
            if let start = ownStream.startTime { try own.seek(stream: streamIndex, toKeyframeBefore: start) } else {
                try own.seek(stream: streamIndex, toKeyframeNear: 0)
            }
        } catch {
            return ([DecodeChunk()], false)
        }
        var ownEntries = ownStream.indexEntries
        // Matroska written without cues (and so, mostly, without a duration): the index holds the keyframes
        // read so far, and the work between them cannot be estimated without the stream's end.
        if own.formatName.contains("matroska"),
           ownEntries.filter(\.isKeyframe).count < 2 || IndexedWork(entries: ownEntries, stream: ownStream, input: own) == nil {
            guard let read = packetEntries(input: own, streamIndex: streamIndex) else { return ([DecodeChunk()], false) }
            ownEntries = read
        }
        return (plan(input: own, stream: ownStream, entries: ownEntries, parts: parts).chunks, false)
    }

    /// Every packet of the stream read through once (demuxing, no decoding), as index entries with their
    /// sizes; nil when the file cannot be read to its end (one pass then decodes what it can).
    ///
    /// For a Matroska file written without cues (a recorder's WebM, ffmpeg writing to a pipe or with
    /// `-live 1`): its index lists only the keyframes read so far, and such a file mostly has no duration
    /// either. Reading costs little next to decoding (745 packets of 1080p H.264, 1.3 MB, in a few
    /// milliseconds), and the workers' seeks then find their keyframes as Matroska seeks without cues: by
    /// reading on.
    private static func packetEntries(input: InputFile, streamIndex: Int) -> [IndexEntry]? {
        guard let packet = try? Packet() else { return nil }
        var entries: [IndexEntry] = []
        while true {
            packet.unreference()
            guard let result = try? input.read(into: packet) else { return nil }
            guard result == .packet else { break }
            guard packet.streamIndex == streamIndex else { continue }
            // A keyframe is sought by its presentation time (Matroska stores those; decoding times may be guessed).
            let time = packet.pts != Timestamp.none ? packet.pts : packet.dts
            guard time != Timestamp.none, packet.position >= 0 else { return nil }
            entries.append(IndexEntry(timestamp: time, position: packet.position, size: packet.size,
                                      isKeyframe: packet.isKeyframe, isDiscard: packet.isDiscard))
        }
        return entries
    }

    /// Plans on `input`, whose index is `entries` (whole: every packet, or every keyframe).
    private static func plan(input: InputFile, stream: MediaStream, entries: [IndexEntry], parts: Int) -> (chunks: [DecodeChunk], movedInput: Bool) {
        let streamIndex = stream.index
        guard entries.count > 1, let work = IndexedWork(entries: entries, stream: stream, input: input) else {
            return ([DecodeChunk()], false)
        }
        let target = work.total / Int64(parts)
        var boundaries: [Int] = []
        var chunkStart: Int64 = 0
        for i in entries.indices.dropFirst() where entries[i].isKeyframe && !entries[i].isDiscard
            && work.before(i) - chunkStart >= target && work.total - work.before(i) >= target / 2 {
            boundaries.append(i)
            chunkStart = work.before(i)
        }
        // Each join needs the keyframe's presentation time: seek near it and read up to its packet
        // (the index holds decode times, and demuxers seek by presentation time, so the
        // seek may land a keyframe early). The workers then seek to that presentation time.
        guard !boundaries.isEmpty, let packet = try? Packet() else { return ([DecodeChunk()], false) }
        var starts: [(pts: Int64, position: Int64, closed: Bool, entry: Int)] = []
        for boundary in boundaries {
            let entry = entries[boundary]
            guard (try? input.seek(stream: streamIndex, toKeyframeBefore: entry.timestamp)) != nil,
                  let keyframe = keyframePacket(input: input, streamIndex: streamIndex, packet: packet, entry: entry,
                                                exactPosition: !work.isSparse),
                  keyframe.pts > (starts.last?.pts ?? Int64.min) else { continue }
            starts.append((keyframe.pts, keyframe.position, keyframe.closed, boundary))
        }
        var chunks: [DecodeChunk] = []
        for i in -1..<starts.count {
            let start = i >= 0 ? starts[i] : nil
            let next = i + 1 < starts.count ? starts[i + 1] : nil
            chunks.append(DecodeChunk(seekTimestamp: start?.pts, start: start?.pts, end: next?.pts,
                                      endPosition: next.flatMap { $0.closed ? $0.position : nil },
                                      cost: (next.map { work.before($0.entry) } ?? work.total) - (start.map { work.before($0.entry) } ?? 0)))
        }
        return (chunks, true)
    }

    /// Frame threads per worker's decoder: one when no chunk is more than a worker's share of the work
    /// (the workers then stay busy side by side to the end, and frame threads only add their
    /// synchronisation, about a tenth more CPU), two when one is (a video of two groups of pictures, 80 %
    /// and 20 %: its last worker then still keeps two cores busy). Measured with four chunks per worker on
    /// the segments benchmark (medians of 5 runs, ratio to ffmpeg's decode): H.264 720p 0.84x with two
    /// threads, 0.80x with one; 1080p 0.84x, 0.83x; HEVC 540p equal; video-h265.mp4 (80/20) 0.87x with
    /// two, 1.21x with one.
    static func frameThreads(for chunks: [DecodeChunk], workers: Int) -> Int {
        let total = chunks.reduce(Int64(0)) { $0 + $1.cost }
        let largest = chunks.map(\.cost).max() ?? 0
        return largest * Int64(max(1, workers)) > total ? 2 : 1
    }

    /// Packets after a keyframe (in decoding order) looked at for pictures shown before it. Leading
    /// pictures come right after their keyframe (HEVC requires it; H.264 encoders put an open GOP's
    /// B-frames there). Should one come later and its decoder still output it after the seek (decoders
    /// mostly drop pictures whose references they lack), the join is refused (``ChunkMeasures/latestLeadingFrame``).
    static let leadingPictureLookahead = 8

    /// The pts and file position of the keyframe packet `entry` indexes, reading forward to it, and
    /// whether its join is closed: none of the packets after it, up to the next keyframe or
    /// ``leadingPictureLookahead`` packets, is shown before it. An MP4 index gives the packet's own
    /// position (`exactPosition`); Matroska's cues give the cluster's, and the packet is the stream's
    /// first one in it, with the cue's presentation time.
    private static func keyframePacket(input: InputFile, streamIndex: Int, packet: Packet, entry: IndexEntry,
                                       exactPosition: Bool) -> (pts: Int64, position: Int64, closed: Bool)? {
        var keyframe: (pts: Int64, position: Int64)?
        var following = 0
        while true {
            packet.unreference()
            guard let result = try? input.read(into: packet), result == .packet else {
                // The file ended after the keyframe: nothing can lead it.
                return keyframe.map { ($0.pts, $0.position, true) }
            }
            guard packet.streamIndex == streamIndex, packet.position >= entry.position else { continue }
            guard let found = keyframe else {
                guard packet.isKeyframe, packet.pts != Timestamp.none,
                      exactPosition ? packet.position == entry.position : packet.pts == entry.timestamp else { return nil }
                keyframe = (packet.pts, packet.position)
                continue
            }
            if packet.isKeyframe { return (found.pts, found.position, true) }
            if packet.pts == Timestamp.none || packet.pts < found.pts { return (found.pts, found.position, false) }
            following += 1
            if following == leadingPictureLookahead { return (found.pts, found.position, true) }
        }
    }

    /// Measures `chunks` of the video stream with `workers` workers and joins
    /// the parts, or returns nil when any part failed or a join does not fit
    /// exactly (then decode sequentially, which tolerates what this cannot).
    static func measure(path: String, streamIndex: Int, decoded: MediaProbe.DecodedStreamInfo? = nil, chunks: [DecodeChunk],
                        width: Int, height: Int, workers: Int,
                        stillWindows: [StillWindow] = []) -> MeasuredVideo? {
        guard chunks.count > 1 else { return nil }
        let log = AnalysisLog.logger
        let clock = ContinuousClock()
        let started = clock.now
        // Largest first, so that no big chunk is left for the end while the other workers idle.
        let order = chunks.indices.sorted { chunks[$0].cost > chunks[$1].cost }
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let results = Mutex<[Int: ChunkMeasures]>([:])
        // When each worker ran out of chunks: the spread is time a core idled at the end.
        let workersEnded = Mutex<[Duration]>([])
        // Candidate stills are merged as chunks finish, so the frames held stay as few as in one pass.
        let stills = Mutex<[[StillCandidate]]>(Array(repeating: [], count: stillWindows.count))
        let keep = StillCollector.keep(forPixels: width * height)
        let decoderThreads = frameThreads(for: chunks, workers: workers)
        DispatchQueue.concurrentPerform(iterations: min(workers, chunks.count)) { slot in
            var worker: ChunkWorker?
            defer { workersEnded.withLock { $0.append(clock.now - started) } }
            while true {
                let taken = next.add(1, ordering: .relaxed).oldValue
                guard taken < order.count, !failed.load(ordering: .relaxed) else { return }
                let index = order[taken]
                let chunkStarted = clock.now
                // The first chunk starts at the file's start, where only a fresh demuxer is.
                if worker == nil || chunks[index].seekTimestamp == nil {
                    worker = try? ChunkWorker(path: path, streamIndex: streamIndex, decoded: decoded, threads: decoderThreads)
                }
                guard let worker, let outcome = worker.measure(chunks[index], width: width, height: height, stillWindows: stillWindows) else {
                    log.debug("a chunk could not be decoded on its own: the video is decoded again in one pass",
                              metadata: ["file": AnalysisLog.file(path), "chunk": "\(index + 1)/\(chunks.count)"])
                    failed.store(true, ordering: .relaxed)
                    return
                }
                log.debug("chunk decoded", metadata: ["chunk": "\(index + 1)/\(chunks.count)", "worker": "\(slot + 1)",
                                                      "frames": "\(outcome.measures.frameCount)",
                                                      "seconds": AnalysisLog.seconds(clock.now - chunkStarted)])
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
        /// A join that does not fit: the caller decodes the whole video in one pass.
        func refused(_ why: String) -> MeasuredVideo? {
            log.debug("chunks do not join: the video is decoded again in one pass", metadata: ["file": AnalysisLog.file(path), "why": "\(why)"])
            return nil
        }
        var joined: FrameMeasures?
        var damaged = 0
        var firstDamage: AVError?
        var previousLuma: [UInt8]?
        for (index, chunk) in chunks.enumerated() {
            guard let part = parts[index], part.complete else { return refused("chunk \(index + 1) did not reach the next one's start") }
            if let leading = part.latestLeadingFrame, leading > joined?.timestamps.last ?? Int64.min {
                return refused("chunk \(index + 1) leads with pictures the chunk before did not decode")
            }
            if let start = chunk.start, part.measures.timestamps.first != start {
                return refused("chunk \(index + 1) does not start at its keyframe")
            }
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
        let ends = workersEnded.withLock { $0 }
        log.debug("decoded in chunks", metadata: [
            "file": AnalysisLog.file(path), "chunks": "\(chunks.count)", "workers": "\(min(workers, chunks.count))",
            "threads": "\(decoderThreads)", "frames": "\(joined.frameCount)",
            "seconds": AnalysisLog.seconds(clock.now - started),
            "workers_apart": AnalysisLog.seconds((ends.max() ?? .zero) - (ends.min() ?? .zero)),
        ])
        return MeasuredVideo(measures: joined, damagedPackets: damaged, firstDamage: firstDamage, stills: stills.withLock { $0 })
    }
}

/// The decoding work before each entry of a stream's index, the estimate chunks are planned by:
/// packet bytes plus ``ChunkedMeasuring/pictureCostPerPixel`` per picture.
///
/// An MP4 index lists every packet with its size, so the work is summed packet by packet.
/// Matroska's cues list only keyframes, at their clusters' positions and without sizes (a sparse
/// index): the bytes are the distance between clusters and the pictures are counted from the
/// time between keyframes at the stream's frame rate.
private struct IndexedWork {
    let isSparse: Bool
    /// Work before each entry, and ``total`` after the last.
    private let costBefore: [Int64]
    let total: Int64

    init?(entries: [IndexEntry], stream: MediaStream, input: InputFile) {
        let parameters = stream.parameters
        let perPicture = Int64(Double(max(0, parameters.width * parameters.height)) * ChunkedMeasuring.pictureCostPerPixel)
        isSparse = entries.allSatisfy { $0.size == 0 }
        var costs: [Int64] = []
        costs.reserveCapacity(entries.count + 1)
        if !isSparse {
            var sum: Int64 = 0
            for entry in entries {
                costs.append(sum)
                sum += Int64(entry.size) + perPicture
            }
            costs.append(sum)
        } else {
            let rate = stream.averageFrameRate.isValid ? stream.averageFrameRate : stream.realFrameRate
            guard rate.isValid, let first = entries.first, let fileSize = input.fileSize,
                  let duration = stream.duration ?? input.duration.map({ rescale($0, from: .microseconds, to: stream.timeBase) }) else { return nil }
            // Pictures from the first keyframe to `timestamp`, at the stream's frame rate.
            let picturesPerTick = stream.timeBase.doubleValue * rate.doubleValue
            func work(position: Int64, timestamp: Int64) -> Int64 {
                max(0, position - first.position) + Int64(Double(max(0, timestamp - first.timestamp)) * picturesPerTick) * perPicture
            }
            for entry in entries { costs.append(work(position: entry.position, timestamp: entry.timestamp)) }
            costs.append(work(position: fileSize, timestamp: (stream.startTime ?? 0) + duration))
            // Cues out of file or time order would make the estimate meaningless.
            guard zip(costs, costs.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        }
        costBefore = costs
        total = max(1, costs[entries.count])
    }

    /// The work of decoding the entries before `index`.
    func before(_ index: Int) -> Int64 { costBefore[index] }
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

    /// - Parameters:
    ///   - decoded: what the probe's opening of the file learnt by decoding, adopted rather than decoded again.
    ///   - threads: the decoder's frame threads (``ChunkedMeasuring/frameThreads(for:workers:)``).
    init(path: String, streamIndex: Int, decoded: MediaProbe.DecodedStreamInfo?, threads: Int) throws {
        // Opened as the probe opens: no decoding to learn what the headers say.
        let input = try MediaProbe.openDescribed(path, knowing: decoded).input
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
            reader.stopPosition = chunk.endPosition
            var latestLeadingFrame: Int64?
            let pass = MeasuringPass(sourceWidth: width, sourceHeight: height, stillWindows: stillWindows)
            var complete = chunk.end == nil
            var previous = Int64.min
            while let frame = try reader.nextFrame() {
                let timestamp = reader.presentationTimestamp(of: frame)
                guard timestamp != Timestamp.none, timestamp > previous else { return nil }
                previous = timestamp
                if let start = chunk.start, timestamp < start {
                    latestLeadingFrame = timestamp
                    continue
                }
                if let end = chunk.end, timestamp >= end { complete = true; break }
                try pass.measure(frame, timestamp: timestamp)
            }
            // Stopped at the next keyframe and drained: every frame shown before it has come out.
            if reader.stoppedAtPosition { complete = true }
            return ChunkMeasures(measures: pass.measures, firstLuma: pass.firstLuma,
                                 lastLuma: pass.frameCount > 0 ? pass.lastLuma : nil, complete: complete,
                                 latestLeadingFrame: latestLeadingFrame,
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
