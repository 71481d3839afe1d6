// The one header Swift sees of libvpx's VP9 decoder (libvpx 1.12, Debian's libvpx-dev). The
// analysis pass decodes VP9 with it rather than with libavcodec's VP9 decoder, which ignores
// `skip_loop_filter` (see Sources/LibAV/VP9Decoder.swift). Its initialiser and its controls are
// macros and a variadic function, which Swift cannot call: they are re-exposed here.
#ifndef PIXSIM_CVPX_SHIM_H
#define PIXSIM_CVPX_SHIM_H

#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

/// vpx_codec_dec_init for the VP9 decoder with `threads` threads.
static inline vpx_codec_err_t pixsim_vpx_vp9_init(vpx_codec_ctx_t *context, unsigned int threads) {
    vpx_codec_dec_cfg_t configuration = { .threads = threads, .w = 0, .h = 0 };
    return vpx_codec_dec_init(context, vpx_codec_vp9_dx(), &configuration, 0);
}
/// VP9_SET_SKIP_LOOP_FILTER: decode without the in-loop filter (nonzero) or with it (0).
static inline vpx_codec_err_t pixsim_vpx_skip_loop_filter(vpx_codec_ctx_t *context, int skip) {
    return vpx_codec_control(context, VP9_SET_SKIP_LOOP_FILTER, skip);
}
/// VP9D_SET_ROW_MT: decode the rows of a tile on several threads (1) or not (0).
static inline vpx_codec_err_t pixsim_vpx_row_threads(vpx_codec_ctx_t *context, unsigned int on) {
    return vpx_codec_control(context, VP9D_SET_ROW_MT, on);
}

#endif
