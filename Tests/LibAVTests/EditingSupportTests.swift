import Testing
@testable import LibAV

/// The LibAV additions cutting and joining rely on.
@Suite struct EditingSupportTests {
    @Test func replacingAPayloadKeepsTimestampsAndFlags() throws {
        let packet = try Packet()
        try packet.replacePayload(with: [1, 2, 3])
        packet.pts = 42
        packet.dts = 40
        packet.isKeyframe = true
        packet.streamIndex = 3
        try packet.replacePayload(with: [9, 8, 7, 6, 5])
        #expect(packet.data == [9, 8, 7, 6, 5])
        #expect(packet.pts == 42 && packet.dts == 40 && packet.isKeyframe && packet.streamIndex == 3)
    }

    @Test func placingAPictureKeepsTheBarsBlack() throws {
        let canvas = try Frame(width: 8, height: 4, pixelFormat: .yuv420p)
        try canvas.fillBlack()
        let picture = try Frame(width: 4, height: 4, pixelFormat: .yuv420p)
        try picture.makeWritable()
        for plane in 0..<3 {
            let rows = plane == 0 ? 4 : 2
            picture.withUnsafeMutablePlane(plane, rows: rows) { buffer, _ in
                for i in 0..<buffer.count { buffer[i] = 200 }
            }
        }
        try canvas.place(picture, atX: 2, y: 0)
        let luma = canvas.copyPlane(0, bytesPerRow: 8, rows: 4)
        #expect(Array(luma[0..<8]) == [16, 16, 200, 200, 200, 200, 16, 16])
        let chroma = canvas.copyPlane(1, bytesPerRow: 4, rows: 2)
        #expect(Array(chroma[0..<4]) == [128, 200, 200, 128])
    }

    @Test func libx264AcceptsPlanarYUV() {
        #expect(Encoder.supportedPixelFormats("libx264").contains(.yuv420p))
        #expect(Encoder.supportedPixelFormats("no-such-encoder").isEmpty)
    }

    @Test func turningAPictureMovesItsCorners() throws {
        let picture = try Frame(width: 4, height: 2, pixelFormat: .gray8)
        try picture.makeWritable()
        picture.withUnsafeMutablePlane(0, rows: 2) { buffer, stride in
            for y in 0..<2 { for x in 0..<4 { buffer[y * stride + x] = UInt8(y * 4 + x) } }
        }
        let quarter = try picture.rotated(clockwiseQuarterTurns: 1)
        #expect(quarter.width == 2 && quarter.height == 4)
        // Clockwise: the bottom-left corner comes to the top-left.
        #expect(quarter.copyPlane(0, bytesPerRow: 2, rows: 4) == [4, 0, 5, 1, 6, 2, 7, 3])
        let half = try picture.rotated(clockwiseQuarterTurns: 2)
        #expect(half.copyPlane(0, bytesPerRow: 4, rows: 2) == [7, 6, 5, 4, 3, 2, 1, 0])
        let threeQuarters = try picture.rotated(clockwiseQuarterTurns: 3)
        #expect(threeQuarters.copyPlane(0, bytesPerRow: 2, rows: 4) == [3, 7, 2, 6, 1, 5, 0, 4])
        #expect(throws: AVError.self) { try Frame(width: 4, height: 2, pixelFormat: .yuv422p).rotated(clockwiseQuarterTurns: 1) }
    }
}
