// The one header Swift sees of FFmpeg 5.1. It includes the libav headers and
// re-exposes, as functions and constants, the few things Swift cannot import
// itself: function-like macros (AVERROR, MKTAG), macros built from casts
// (AV_NOPTS_VALUE, AV_TIME_BASE_Q) and variadic av_log.
#ifndef PIXSIM_CFFMPEG_SHIM_H
#define PIXSIM_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/cpu.h>
#include <libavutil/display.h>
#include <libavutil/hash.h>
#include <libavutil/imgutils.h>
#include <libavutil/motion_vector.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/sha.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

/// AVERROR(e): libav's negative error code for a POSIX errno value.
static inline int pixsim_averror(int posix_errno) { return AVERROR(posix_errno); }
/// AVERROR(EAGAIN): "output is not ready yet / input must be drained first".
static inline int pixsim_averror_eagain(void) { return AVERROR(EAGAIN); }
/// AVERROR_EOF: the end of a stream, or a codec fully drained.
static inline int pixsim_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_INVALIDDATA.
static inline int pixsim_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AVERROR_PATCHWELCOME: a feature the decoder lacks (damaged data often claims one).
static inline int pixsim_averror_patchwelcome(void) { return AVERROR_PATCHWELCOME; }
/// AVERROR_EXTERNAL: an external library (libx264, libvpx) failed.
static inline int pixsim_averror_external(void) { return AVERROR_EXTERNAL; }
/// AVERROR_DECODER_NOT_FOUND.
static inline int pixsim_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/// AV_NOPTS_VALUE: "no timestamp".
static inline int64_t pixsim_nopts_value(void) { return AV_NOPTS_VALUE; }
/// AV_TIME_BASE_Q: the 1/1000000 time base of format-level durations.
static inline AVRational pixsim_time_base_q(void) { return AV_TIME_BASE_Q; }

/// av_log with a fixed "%s" format, so that a message is never read as a format string.
static inline void pixsim_log(void *context, int level, const char *message) {
    av_log(context, level, "%s", message);
}

/// The Swift side of libav's log: receives one formatted line at a time.
typedef void (*pixsim_log_sink_t)(int level, const char *line);
static pixsim_log_sink_t pixsim_log_sink_function = 0;

/// libav's log callback. va_list cannot cross into Swift on every platform,
/// so the line is formatted here (av_log_format_line2) and handed over whole.
static inline void pixsim_log_callback(void *context, int level, const char *format, va_list arguments) {
    if (level > av_log_get_level() || pixsim_log_sink_function == 0) return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(context, level, format, arguments, line, sizeof line, &print_prefix);
    pixsim_log_sink_function(level, line);
}

/// Installs `sink` as the receiver of libav's log lines.
static inline void pixsim_log_install(pixsim_log_sink_t sink) {
    pixsim_log_sink_function = sink;
    av_log_set_callback(pixsim_log_callback);
}

/// AVFrame.data[i] and linesize[i]: fixed arrays import as tuples, so index them here.
static inline uint8_t *pixsim_frame_data(const AVFrame *frame, int plane) { return frame->data[plane]; }
static inline int pixsim_frame_linesize(const AVFrame *frame, int plane) { return frame->linesize[plane]; }
static inline uint8_t **pixsim_frame_data_pointers(AVFrame *frame) { return frame->data; }
static inline int *pixsim_frame_linesizes(AVFrame *frame) { return frame->linesize; }
static inline const uint8_t *const *pixsim_frame_const_data_pointers(const AVFrame *frame) {
    return (const uint8_t *const *)frame->data;
}
/// An audio frame's channel planes: `extended_data`, which holds one per channel of planar sound
/// however many there are; `data` holds only the first eight (a damaged AAC frame can claim 24).
static inline uint8_t **pixsim_frame_audio_planes(AVFrame *frame) { return frame->extended_data; }
static inline const uint8_t *const *pixsim_frame_const_audio_planes(const AVFrame *frame) {
    return (const uint8_t *const *)frame->extended_data;
}
/// AVFrame.key_frame is deprecated in later releases but is what 5.1 has.
static inline int pixsim_frame_is_key(const AVFrame *frame) { return frame->key_frame; }

#endif
