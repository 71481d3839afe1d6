// The one header Swift sees of dav1d (1.0, Debian's libdav1d-dev). The analysis pass decodes AV1
// with it directly rather than through libavcodec's wrapper, which has no setting for dav1d's in-loop
// filters (see Sources/LibAV/AV1Decoder.swift). DAV1D_ERR is a macro Swift cannot call, and dav1d's
// logger takes a va_list, which Swift cannot receive.
#ifndef PIXSIM_CDAV1D_SHIM_H
#define PIXSIM_CDAV1D_SHIM_H

#include <errno.h>
#include <dav1d/dav1d.h>
#include <libavutil/log.h>

/// DAV1D_ERR(EAGAIN): "output pictures first" from dav1d_send_data, "send more data" from dav1d_get_picture.
static inline int pixsim_dav1d_again(void) { return DAV1D_ERR(EAGAIN); }
/// DAV1D_ERR(ENOMEM).
static inline int pixsim_dav1d_no_memory(void) { return DAV1D_ERR(ENOMEM); }

/// dav1d's log lines go to libav's log, as FFmpeg's wrapper sends them: quiet unless the program is
/// verbose (LibAVLog), instead of dav1d's default, which writes them to stderr.
static inline void pixsim_dav1d_log(void *cookie, const char *format, va_list arguments) {
    (void)cookie;
    av_vlog(NULL, AV_LOG_ERROR, format, arguments);
}
static inline void pixsim_dav1d_log_to_libav(Dav1dSettings *settings) {
    settings->logger.cookie = NULL;
    settings->logger.callback = pixsim_dav1d_log;
}

#endif
