/* SPDX-License-Identifier: MIT */
/* JPEG encoding of stills with libturbojpeg: JFIF only, no Exif (no personal data). */
#ifndef BOOTH_JPEG_H
#define BOOTH_JPEG_H

#include <stddef.h>
#include <stdint.h>

/* Encode W x H pixels of XRGB8888 (bytes B G R X, STRIDE bytes per line) at QUALITY (1-100),
 * 4:2:0. On success returns 0 and a new buffer in *ret (free it with jpeg_free()) of *len bytes;
 * -EINVAL for bad arguments, -ENOMEM, or -EIO if the encoder failed. */
int jpeg_encode_xrgb(const uint8_t *px, int w, int h, size_t stride, int quality, uint8_t **ret,
		     size_t *len);

/* Free a buffer from jpeg_encode_xrgb(). Accepts NULL, returns NULL. */
uint8_t *jpeg_free(uint8_t *buf);

/* The width and height of the JPEG DATA (N bytes), from its header. Returns 0 or -EBADMSG. */
int jpeg_size(const uint8_t *data, size_t n, int *w, int *h);

#endif
