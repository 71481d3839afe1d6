import LibAV
import Testing
@testable import MediaOps

/// The queue of sound waiting for the pictures (``SampleQueue``): silence is counted, not stored, and comes
/// out where it was put; cutting the queue keeps exactly its first samples.
@Suite struct SampleQueueTests {
    let mono = ChannelLayout(defaultFor: 1)

    /// A mono 16-bit frame holding `values`.
    func frame(_ values: [Int16]) throws -> Frame {
        let frame = try Frame(samples: values.count, format: .s16, layout: mono, sampleRate: 48_000)
        frame.withUnsafeMutablePlane(0, rows: 1) { buffer, _ in
            for (index, value) in values.enumerated() { buffer.storeBytes(of: value, toByteOffset: index * 2, as: Int16.self) }
        }
        return frame
    }

    /// Everything left in `queue`, read `size` samples at a time.
    func drain(_ queue: SampleQueue, by size: Int) throws -> [Int16] {
        var values: [Int16] = []
        while queue.count > 0 {
            let waiting = queue.count
            let frame = try queue.read(samples: size)
            #expect(Int64(frame.sampleCount) == min(Int64(size), waiting))
            frame.withUnsafePlane(0, rows: 1) { buffer, _ in
                for index in 0..<frame.sampleCount { values.append(buffer.load(fromByteOffset: index * 2, as: Int16.self)) }
            }
        }
        return values
    }

    @Test func silenceComesOutBetweenTheSamplesItWasPutBetween() throws {
        let queue = try SampleQueue(format: .s16, layout: mono, sampleRate: 48_000)
        try queue.write(frame((1...100).map(Int16.init)))
        queue.writeSilence(samples: 50)
        queue.writeSilence(samples: 25)
        try queue.write(frame((101...150).map(Int16.init)))
        #expect(queue.count == 225)
        let values = try drain(queue, by: 64)
        #expect(values == (1...100).map(Int16.init) + Array(repeating: 0, count: 75) + (101...150).map(Int16.init))
    }

    /// A day of silence at 48 kHz (four billion samples, more than a libav frame can count; 8 GB as 16-bit
    /// stereo) before more sound, as a damaged timestamp asks: counted, and cut away with what follows it.
    @Test func aDayOfSilenceIsCountedAndCutAway() throws {
        let queue = try SampleQueue(format: .s16, layout: mono, sampleRate: 48_000)
        try queue.write(frame((1...40).map(Int16.init)))
        queue.writeSilence(samples: 86_400 * 48_000)
        try queue.write(frame([7, 7, 7]))
        #expect(queue.count == 43 + 86_400 * 48_000)
        try queue.keepFirst(50)
        #expect(queue.count == 50)
        #expect(try drain(queue, by: 16) == (1...40).map(Int16.init) + Array(repeating: 0, count: 10))
        // The stored samples cut away went with it: what is written next follows at once.
        try queue.write(frame([5, 6]))
        #expect(try drain(queue, by: 16) == [5, 6])
    }

    @Test func cuttingInsideTheSamplesKeepsTheirFirstOnes() throws {
        let queue = try SampleQueue(format: .s16, layout: mono, sampleRate: 48_000)
        try queue.write(frame((1...30).map(Int16.init)))
        queue.writeSilence(samples: 10)
        try queue.write(frame((31...60).map(Int16.init)))
        _ = try queue.read(samples: 20)
        try queue.keepFirst(25)
        #expect(try drain(queue, by: 7) == (21...30).map(Int16.init) + Array(repeating: 0, count: 10) + (31...35).map(Int16.init))
        try queue.keepFirst(0)
        #expect(queue.count == 0)
    }
}
