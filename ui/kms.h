/* SPDX-License-Identifier: MIT */
/* The DRM/KMS display backend (libdrm): a connected connector, its mode, two dumb buffers and
 * page flips paced by drmHandleEvent on the loop; and its mode choice, kept pure for tests. */
#ifndef BOOTH_UI_KMS_H
#define BOOTH_UI_KMS_H

#include <stdbool.h>

struct display_backend;

/* A display mode as the connector lists it. */
struct kms_mode {
	int width, height;
	int refresh; /* Hz */
	bool preferred;
};

/* The mode to use of the N MODES: the wanted WANT_W x WANT_H at the highest refresh if the
 * panel has it, else the panel's preferred mode, else the largest (then the fastest). Returns
 * its index, or -ENOENT when N is 0. */
int kms_pick_mode(const struct kms_mode *modes, int n, int want_w, int want_h);

/* The "drm" backend for display_new(). Its open() fails with -ENODEV when there is no DRM device
 * with a connected screen (as on a build machine). */
extern const struct display_backend kms_backend;

#endif
