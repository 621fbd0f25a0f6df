/* SPDX-License-Identifier: MIT */
/* Backend selection and the thin calls through the backend table. */
#include "backend.h"

#include <errno.h>
#include <string.h>

const struct camera_backend *camera_backend_find(const char *name)
{
	static const struct camera_backend *const all[] = { &camera_backend_sim,
							    &camera_backend_libcamera };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

int camera_new(struct loop *l, const struct booth_config *cfg, struct preview *pv,
	       const struct camera_events *ev, void *userdata, struct camera **ret)
{
	const struct camera_backend *b = camera_backend_find(cfg->camera.backend);

	if (!b)
		return -EINVAL;
	return b->create(l, cfg, pv, ev, userdata, ret);
}

struct camera *camera_free(struct camera *c)
{
	if (c)
		c->backend->destroy(c);
	return NULL;
}

void camera_get_info(struct camera *c, struct camera_info *ret)
{
	c->backend->info(c, ret);
}

int camera_capture(struct camera *c, const struct camera_request *req, void *token)
{
	return c->backend->capture(c, req, token);
}
