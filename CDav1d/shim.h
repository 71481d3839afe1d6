// The one header Swift sees of dav1d (1.0, Debian's libdav1d-dev). The analysis pass decodes AV1
// with it directly rather than through libavcodec's wrapper, which has no setting for dav1d's in-loop
// filters (see Sources/LibAV/AV1Decoder.swift). DAV1D_ERR is a macro Swift cannot call.
#ifndef PIXSIM_CDAV1D_SHIM_H
#define PIXSIM_CDAV1D_SHIM_H

#include <errno.h>
#include <dav1d/dav1d.h>

/// DAV1D_ERR(EAGAIN): "output pictures first" from dav1d_send_data, "send more data" from dav1d_get_picture.
static inline int pixsim_dav1d_again(void) { return DAV1D_ERR(EAGAIN); }
/// DAV1D_ERR(ENOMEM).
static inline int pixsim_dav1d_no_memory(void) { return DAV1D_ERR(ENOMEM); }

#endif
