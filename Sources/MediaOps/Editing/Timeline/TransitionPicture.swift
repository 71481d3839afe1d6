import LibAV

/// The pictures of a transition, computed in YUV on 8-bit planar frames:
/// a crossfade is a weighted mean of the two items' pictures, a fade through
/// black a weighted mean with a black picture of the same format.
struct TransitionPicture {
    let width: Int
    let height: Int
    let pixelFormat: PixelFormat
    private let black: Frame
    private let result: Frame

    /// Whether transitions can be computed in `format` (8-bit, planar or single-plane).
    static func supports(_ format: PixelFormat) -> Bool {
        ["yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "yuvj440p", "gray"].contains(format.name ?? "")
    }

    init(width: Int, height: Int, pixelFormat: PixelFormat) throws(AVError) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        black = try Frame(width: width, height: height, pixelFormat: pixelFormat)
        try black.fillBlack()
        result = try Frame(width: width, height: height, pixelFormat: pixelFormat)
    }

    /// Frame `step` (0-based) of `count` of a transition from `outgoing` to `incoming`.
    ///
    /// Crossfade: the incoming picture weighs `(step + 1) / (count + 1)`.
    /// Fade through black: the first `count / 2` steps show `outgoing` fading
    /// to black (the last of them black), the rest `incoming` rising from black.
    func picture(kind: TimelineTransition.Kind, step: Int, count: Int, outgoing: Frame, incoming: Frame) throws(AVError) -> Frame {
        let scale = 1 << 16
        switch kind {
        case .cut:
            return incoming
        case .crossfade:
            let weight = (step + 1) * scale / (count + 1)
            try mix(outgoing, incoming, incomingWeight: weight, scale: scale)
        case .fadeBlack:
            let outSteps = count / 2
            if step < outSteps {
                let gain = (outSteps - 1 - step) * scale / outSteps
                try mix(black, outgoing, incomingWeight: gain, scale: scale)
            } else {
                let inSteps = count - outSteps
                let gain = (step - outSteps + 1) * scale / (inSteps + 1)
                try mix(black, incoming, incomingWeight: gain, scale: scale)
            }
        }
        try result.copyProperties(from: incoming)
        return result
    }

    /// `result = a * (1 - w) + b * w` per sample, `w = incomingWeight / scale`, rounded.
    private func mix(_ a: Frame, _ b: Frame, incomingWeight: Int, scale: Int) throws(AVError) {
        try result.makeWritable()
        let shift = pixelFormat.chromaShift
        for plane in 0..<pixelFormat.planeCount {
            let chroma = plane == 1 || plane == 2
            let columns = chroma ? -((-width) >> shift.x) : width
            let rows = chroma ? -((-height) >> shift.y) : height
            a.withUnsafePlane(plane, rows: rows) { first, firstStride in
                b.withUnsafePlane(plane, rows: rows) { second, secondStride in
                    result.withUnsafeMutablePlane(plane, rows: rows) { target, targetStride in
                        guard first.count > 0, second.count > 0, target.count > 0 else { return }
                        let keep = scale - incomingWeight, half = scale / 2
                        for row in 0..<rows {
                            let x = first.baseAddress!.advanced(by: row * firstStride).assumingMemoryBound(to: UInt8.self)
                            let y = second.baseAddress!.advanced(by: row * secondStride).assumingMemoryBound(to: UInt8.self)
                            let z = target.baseAddress!.advanced(by: row * targetStride).assumingMemoryBound(to: UInt8.self)
                            for column in 0..<columns {
                                z[column] = UInt8((Int(x[column]) * keep + Int(y[column]) * incomingWeight + half) / scale)
                            }
                        }
                    }
                }
            }
        }
    }
}
