/* SPDX-License-Identifier: MIT */
/* SHA-256 through OpenSSL's EVP interface. */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

static void to_hex(const unsigned char *md, unsigned n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < n && i < 32; i++) {
		hex[(size_t)i * 2] = digits[md[i] >> 4];
		hex[(size_t)i * 2 + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

int sha256_hex(const void *data, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	to_hex(md, len, hex);
	return 0;
}

int sha256_file(const char *path, char hex[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *ctx;
	ssize_t k;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		r = -EIO;
		goto out;
	}
	while ((k = read(fd, buf, sizeof(buf))) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, (size_t)k)) {
			r = -EIO;
			goto out;
		}
	}
	if (k < 0)
		r = -errno;
	else if (!EVP_DigestFinal_ex(ctx, md, &len) || len != 32)
		r = -EIO;
	else
		to_hex(md, len, hex);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return r;
}
