/// Names a segment's camera movement from its per-frame global motion.
enum CameraMotionClassifier {
    static func classify(_ motions: ArraySlice<GlobalMotion>, duration: Double) -> (kind: CameraMotion, magnitude: Double) {
        let reliable = motions.filter(\.reliable)
        guard reliable.count >= 2, duration > 0 else { return (.static, 0) }
        var dx = 0.0, dy = 0.0, zoom = 0.0, path = 0.0, residual = 0.0
        for m in reliable {
            dx += Double(m.dx); dy += Double(m.dy); zoom += Double(m.zoom)
            path += (Double(m.dx) * Double(m.dx) + Double(m.dy) * Double(m.dy)).squareRoot()
            residual += Double(m.residual)
        }
        // Per second, scaled to the reliable share of the segment.
        let seconds = duration * Double(reliable.count) / Double(max(1, motions.count))
        let pan = dx / seconds, tilt = dy / seconds, zoomRate = zoom / seconds
        let pathRate = path / seconds, residualRate = residual / Double(reliable.count)
        let net = (pan * pan + tilt * tilt).squareRoot()
        let strongest = max(abs(pan), abs(tilt), abs(zoomRate))
        if strongest < 0.02 && pathRate < 0.05 { return (.static, 0) }
        // Much travel, little net movement: shake.
        if pathRate > 0.1 && net < 0.3 * pathRate && abs(zoomRate) < 0.05 { return (.shake, pathRate) }
        if residualRate > 0.02 && strongest < 0.05 { return (.complex, pathRate) }
        let components = [abs(pan), abs(tilt), abs(zoomRate)].sorted(by: >)
        if components[1] > 0.6 * components[0] { return (.complex, strongest) }
        if abs(zoomRate) == strongest { return (zoomRate > 0 ? .zoomIn : .zoomOut, abs(zoomRate)) }
        // Content moving left is the camera panning right; content moving down is the camera tilting up.
        if abs(pan) == strongest { return (pan < 0 ? .panRight : .panLeft, abs(pan)) }
        return (tilt > 0 ? .tiltUp : .tiltDown, abs(tilt))
    }
}
