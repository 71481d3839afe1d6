import Foundation
import LibAV

/// Stills to take from the analysis decode itself (see
/// ``VideoAnalyzer/analyze(path:options:stills:)``): a pipeline that wants
/// segments, a poster and keyframes then decodes each video once.
public struct StillsRequest: Sendable, Hashable {
    /// Where to write the poster (JPEG, or PNG when it ends in `.png`); nil for no poster.
    public var posterPath: String?
    /// Folder for `keyframeCount` uniform keyframes, named as ``KeyframeExtractor`` names them; nil for none.
    public var keyframesFolder: String?
    public var keyframeCount: Int
    /// Width of every image; nil for the video's display width.
    public var width: Int?
    /// Format of the keyframes.
    public var keyframeFormat: ImageFormat

    public init(posterPath: String? = nil, keyframesFolder: String? = nil, keyframeCount: Int = 5,
                width: Int? = nil, keyframeFormat: ImageFormat = .jpeg) {
        self.posterPath = posterPath
        self.keyframesFolder = keyframesFolder
        self.keyframeCount = keyframeCount
        self.width = width
        self.keyframeFormat = keyframeFormat
    }
}

/// The stills written from the analysis decode; nil where none was asked
/// for or where the pass held no good picture for it (then make it by seeking:
/// ``PosterFrame``, ``KeyframeExtractor``).
public struct AnalysisStills: Sendable {
    public var poster: PosterImage?
    public var keyframes: KeyframeSet?

    public init(poster: PosterImage? = nil, keyframes: KeyframeSet? = nil) {
        self.poster = poster
        self.keyframes = keyframes
    }
}

/// The still windows of a request, laid out before decoding from the
/// probed duration, and the writing of the chosen frames afterwards.
struct StillPlan {
    let windows: [StillWindow]
    /// Index in ``windows`` of the poster's window, and of the first keyframe's.
    let posterWindow: Int?
    let keyframeWindows: Range<Int>

    init(request: StillsRequest, duration: Double, origin: Int64, timeBase: Rational) {
        let unit = timeBase.doubleValue > 0 ? timeBase.doubleValue : 1
        func at(_ fraction: Double) -> Int64 { origin + Int64((duration * fraction / unit).rounded()) }
        var windows: [StillWindow] = []
        if request.posterPath != nil {
            // Where ``PosterFrame`` looks first, and on as far as it walks when that is all dark or fading.
            posterWindow = 0
            let poster = StillPolicy.poster
            windows.append(StillWindow(low: at(poster.low), high: at(poster.searchingOnUntil), centre: at(poster.centre)))
        } else {
            posterWindow = nil
        }
        let first = windows.count
        if request.keyframesFolder != nil {
            // The middles of N equal parts, as ``FramePicker/uniform`` spreads them.
            let count = max(1, request.keyframeCount)
            for part in 0..<count {
                let window = StillPolicy.keyframe(part, of: count)
                windows.append(StillWindow(low: at(window.low), high: at(window.searchingOnUntil), centre: at(window.centre)))
            }
        }
        keyframeWindows = first..<windows.count
        self.windows = windows
    }

    /// Chooses each still among the pass's candidates and writes the images.
    func write(_ request: StillsRequest, candidates: [[StillCandidate]], measures: FrameMeasures, times: [Double],
               boundaries: [Int], geometry: PictureGeometry, path: String) throws(MediaError) -> AnalysisStills {
        var frameIndex: [Int64: Int] = [:]
        for (index, timestamp) in measures.timestamps.enumerated() where frameIndex[timestamp] == nil { frameIndex[timestamp] = index }
        func choice(_ window: Int) -> (candidate: StillCandidate, frame: Int)? {
            guard window < candidates.count else { return nil }
            return StillCollector.choose(candidates[window], in: windows[window], measures: measures,
                                         frameIndex: frameIndex, boundaries: boundaries)
        }
        var result = AnalysisStills()
        if let posterPath = request.posterPath, let posterWindow, let chosen = choice(posterWindow) {
            let format = ImageFormat(name: URL(fileURLWithPath: posterPath).pathExtension) ?? .jpeg
            let picture: Frame
            do { picture = try chosen.candidate.picture.makeFrame() } catch { throw MediaError(path: path, libav: error) }
            let written = try ImageWriter(format: format, width: request.width)
                .write(picture, geometry: geometry, to: posterPath, inputs: [path])
            result.poster = PosterImage(path: path, output: written.path, time: times[chosen.frame], frame: chosen.frame,
                                        width: written.width, height: written.height)
        }
        if let folder = request.keyframesFolder {
            var picks: [(candidate: StillCandidate, frame: Int)] = []
            for window in keyframeWindows {
                guard let chosen = choice(window) else { return result }  // the caller seeks for all of them
                // Very short videos have fewer frames than parts: never the same frame twice.
                if !picks.contains(where: { $0.frame == chosen.frame }) { picks.append(chosen) }
            }
            let output = try OutputFolder(path: folder, input: path)
            do throws(MediaError) {
                var shown: [(frame: Frame, time: Double, number: Int)] = []
                for pick in picks {
                    do { shown.append((try pick.candidate.picture.makeFrame(), times[pick.frame], pick.frame)) }
                    catch { throw MediaError(path: path, libav: error) }
                }
                let keyframes = try KeyframeExtractor.write(shown, of: path, geometry: geometry, format: request.keyframeFormat,
                                                            width: request.width, into: output)
                output.keep()
                result.keyframes = KeyframeSet(path: path, keyframes: keyframes)
            } catch {
                output.discard()
                throw error
            }
        }
        return result
    }
}
