/// What decodes a stream's packets into frames, for ``FrameReader`` and
/// ``DamageTolerance``: libavcodec's ``Decoder`` for every codec, and for the
/// analysis pass a decoder of another library where libavcodec's cannot take
/// the shortcut the analysis asks for (``VP9Decoder``). The contract is
/// libavcodec's send/receive one: "needs more input", "full" and "end of
/// stream" are states; damaged input is an ``AVError`` (invalid data).
public protocol FrameDecoding: AnyObject {
    /// The decoder's name, e.g. "h264" or "libvpx-vp9", for logs.
    var codecName: String { get }
    /// Feeds one packet; `.full` when frames must be received first (then send the same packet again).
    func send(_ packet: Packet) throws(AVError) -> SendResult
    /// Signals the end of input so buffered frames come out.
    func sendEndOfStream() throws(AVError)
    /// Takes the next decoded frame into `frame`.
    func receive(into frame: Frame) throws(AVError) -> ReceiveResult
    /// Drops buffered state and references, after a seek.
    func flush()
    /// Changes which frames are decoded at all (between keyframes only and all frames).
    func setKeyframesOnly(_ keyframesOnly: Bool)
}

extension Decoder: FrameDecoding {}
