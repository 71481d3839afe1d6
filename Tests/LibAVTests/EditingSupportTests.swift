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
}
