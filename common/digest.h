/* SPDX-License-Identifier: MIT */
/* SHA-256 checksums of photos and strips (OpenSSL's libcrypto), as lower-case hex. */
#ifndef BOOTH_DIGEST_H
#define BOOTH_DIGEST_H

#include <stddef.h>

/* The SHA-256 of N bytes at DATA into HEX. Returns 0 or -EIO. */
int sha256_hex(const void *data, size_t n, char hex[65]);

/* The SHA-256 of the file at PATH into HEX. Returns 0 or -errno. */
int sha256_file(const char *path, char hex[65]);

#endif
