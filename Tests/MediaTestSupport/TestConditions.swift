import Testing

/// Conditions for tests that need what a user's clone may lack: they are then
/// reported as skipped, with the reason, never counted as passed.
extension Trait where Self == ConditionTrait {
    /// The ffmpeg and ffprobe command lines (oracles and media generators; the product never runs them).
    public static var needsFFmpeg: Self {
        .enabled(if: TestMedia.hasFFmpeg, "needs the ffmpeg and ffprobe command lines")
    }

    /// The shared media corpus (`../shared/corpus`, or `PIXSIM_CORPUS`).
    public static var needsCorpus: Self {
        .enabled(if: TestMedia.hasCorpus, "needs the shared media corpus (../shared/corpus or PIXSIM_CORPUS)")
    }
}
