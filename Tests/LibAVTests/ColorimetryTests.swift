import LibAV
import Testing

/// `Scaler.setSourceColorimetry`: a video-range picture and a full-range one
/// with the same samples must come out of YUV→RGB differently.
@Suite struct ColorimetryTests {
    /// A 16x16 yuv420p frame with every luma sample `luma` and neutral chroma.
    private func greyFrame(luma: UInt8) throws -> Frame {
        let frame = try Frame(width: 16, height: 16, pixelFormat: .yuv420p)
        try frame.makeWritable()
        for (plane, value, rows) in [(0, luma, 16), (1, UInt8(128), 8), (2, UInt8(128), 8)] {
            frame.withUnsafeMutablePlane(plane, rows: rows) { buffer, _ in
                for index in buffer.indices { buffer[index] = value }
            }
        }
        return frame
    }

    private func convertedRed(luma: UInt8, fullRange: Bool?) throws -> UInt8 {
        let frame = try greyFrame(luma: luma)
        let scaler = try Scaler(sourceWidth: 16, sourceHeight: 16, sourceFormat: .yuv420p,
                                destinationWidth: 16, destinationHeight: 16, destinationFormat: .rgb24)
        if let fullRange { try scaler.setSourceColorimetry(matrix: .bt709, fullRange: fullRange) }
        let rgb = try scaler.makeDestinationFrame()
        try scaler.scale(frame, into: rgb)
        return rgb.copyPlane(0, bytesPerRow: 48, rows: 16)[8 * 48 + 24]
    }

    @Test func videoRangeWhiteBecomesFullWhite() throws {
        #expect(try convertedRed(luma: 235, fullRange: nil) >= 253)
        #expect(try convertedRed(luma: 235, fullRange: false) >= 253)
    }

    @Test func fullRangeSamplesStayAsTheyAre() throws {
        let red = try convertedRed(luma: 235, fullRange: true)
        #expect(abs(Int(red) - 235) <= 2)
        #expect(try convertedRed(luma: 16, fullRange: true) >= 14)
        #expect(try convertedRed(luma: 16, fullRange: false) <= 2)
    }
}
