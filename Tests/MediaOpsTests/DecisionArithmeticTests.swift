import Foundation
@testable import MediaOps
import MediaTestSupport
import Testing

/// The arithmetic the segment decisions repeat thousands of times a video, made fast, must
/// answer exactly what the plain version answers.
@Suite("Decision arithmetic")
struct DecisionArithmeticTests {
    @Test("frames decided in stripes on several threads come back in frame order, as on one",
          arguments: [0..<0, 4..<5, 3..<100, 0..<64])
    func stripes(frames: Range<Int>) {
        let plain = frames.map { $0 * $0 + 1 }
        for workers in [1, 2, 5] {
            for stripe in [1, 7, 16, 200] {
                #expect(FrameStripes.map(frames, workers: workers, stripe: stripe) { $0 * $0 + 1 } == plain,
                        "\(workers) workers, stripes of \(stripe)")
            }
        }
    }

    @Test("sum of absolute differences, with and without an offset, as counted one byte at a time")
    func absoluteDifference() {
        var generator = SeededGenerator(seed: 7)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for (first, second, count) in [(0, 2048, 2048), (5, 900, 577), (100, 101, 1), (0, 0, 300), (3000, 10, 0)] {
            for offset: Int32 in [0, 37, -255, 255] {
                var expected = 0
                for i in 0..<count { expected += abs(Int(bytes[first + i]) - Int(bytes[second + i]) - Int(offset)) }
                let fast = bytes.withUnsafeBufferPointer {
                    FrameMeasures.absoluteDifference($0, first, second, count: count, offset: offset)
                }
                #expect(fast == expected, "\(first), \(second), \(count) bytes, offset \(offset)")
            }
        }
    }
}
