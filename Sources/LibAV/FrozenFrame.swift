import CFFmpeg

/// A decoded picture that nothing changes any more, to hand from the thread
/// that decoded it to another: what the analysis pass's chunk workers keep as
/// candidate stills for the thread that joins their results.
///
/// Why it is honestly `Sendable` (a ``Frame`` is not): it owns its own
/// `AVFrame`, a new reference to the decoded buffers made when it is created,
/// from a frame only the creating thread sees, and it never gives that
/// `AVFrame` out. Reading it is all that happens afterwards: ``makeFrame()``
/// returns a fresh ``Frame`` referencing the same buffers (`av_frame_ref`
/// only reads the source and counts the buffers' references atomically), and
/// the size is copied out at creation. libav treats buffers with more than
/// one reference as read-only, so no holder writes the pixels either. It is
/// freed once, with the last reference to it. Pictures lent by libvpx or dav1d
/// (``VP9Decoder``, ``AV1Decoder``) hold up too: their buffers are marked
/// read-only or shared, and the last reference may go on any thread (a
/// libavutil pool takes its buffer back under a lock; dav1d counts its
/// pictures' references atomically).
public final class FrozenFrame: Sendable {
    /// Written only in `init`, never handed out (see above); `nonisolated(unsafe)`
    /// because ``Frame`` as a type cannot promise that, this class does.
    nonisolated(unsafe) private let storage: Frame
    public let width: Int
    public let height: Int

    /// Takes a new reference to `frame`'s buffers; `frame` stays the caller's.
    public init(_ frame: Frame) throws(AVError) {
        storage = try frame.clone()
        width = frame.width
        height = frame.height
    }

    /// A new ``Frame`` referencing the picture (no pixel copy), for the caller alone.
    public func makeFrame() throws(AVError) -> Frame {
        try storage.clone()
    }
}
