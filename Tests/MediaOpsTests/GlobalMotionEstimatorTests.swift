import Testing
@testable import MediaOps

/// The motion estimator on pictures made for it.
@Suite struct GlobalMotionEstimatorTests {
    /// A 128x72 luma picture: a deterministic texture moved `shift` pixels right, except where `flat` says the
    /// picture is one level (black).
    static func picture(shift: Int, flat: (Int, Int) -> Bool) -> [UInt8] {
        var luma = [UInt8](repeating: 0, count: 128 * 72)
        for y in 0..<72 {
            for x in 0..<128 where !flat(x, y) {
                let u = x - shift
                // Smooth blobs of a few pixels (a hash of each 4x4 cell, spread by the cell's position), so that
                // each block matches in one place only.
                let cell = ((u >> 2) &* 73_856_093) ^ ((y >> 2) &* 19_349_663)
                luma[y * 128 + x] = UInt8(truncatingIfNeeded: 40 + (cell & 0x7f) + (u & 3) * 10 + (y & 3) * 6)
            }
        }
        return luma
    }

    /// Half the picture black (the corners a picture turning in place leaves, a letterbox): its blocks match
    /// anywhere, with no confidence either way, and the fit's residual was 0/0 for them, so not a number for
    /// the whole frame, and every segment holding such a frame lost the "complex" motion a residual names.
    @Test func flatBlocksLeaveTheResidualANumber() {
        let flat: (Int, Int) -> Bool = { x, _ in x >= 64 }
        let motion = GlobalMotionEstimator.motion(from: Self.picture(shift: 0, flat: flat), to: Self.picture(shift: 1, flat: flat),
                                                  width: 128, height: 72)
        #expect(motion.reliable)
        #expect(motion.residual.isFinite, "residual \(motion.residual)")
        #expect(abs(motion.dx * 128 - 1) < 0.5, "dx \(motion.dx * 128) pixels")
    }
}
