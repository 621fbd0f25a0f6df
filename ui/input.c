/* SPDX-License-Identifier: MIT */
/* libinput on the udev seat, dispatched from the event loop as soon as its fd is readable. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <libinput.h>
#include <libudev.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct input {
	struct udev *udev;
	struct libinput *li;
	struct loop_source *io;
	int panel_w, panel_h;
	double px, py; /* the pointer, in panel coordinates */
	input_tap_fn tap;
	input_key_fn key;
	void *userdata;
};

const char *input_key_name(unsigned int code)
{
	static const char *const digits[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0" };
	static const unsigned int keypad[] = { KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
					       KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9 };

	/* KEY_1..KEY_9 and KEY_0 are consecutive codes, in that order. */
	if (code >= KEY_1 && code <= KEY_0)
		return digits[code - KEY_1];
	for (unsigned int i = 0; i < 10; i++)
		if (code == keypad[i])
			return digits[(i + 9) % 10];
	switch (code) {
	case KEY_ENTER:
	case KEY_KPENTER:
	case KEY_OK:
	case KEY_SELECT:
	case KEY_PLAY:
	case BTN_0:
		return "enter";
	case KEY_SPACE:
		return "space";
	case KEY_ESC:
	case KEY_BACK:
	case BTN_1:
		return "escape";
	case KEY_BACKSPACE:
		return "backspace";
	case KEY_MENU:
	case KEY_F12:
		return "menu";
	case KEY_L:
		return "l";
	default:
		return NULL;
	}
}

static int open_restricted(const char *path, int flags, void *userdata)
{
	int fd = open(path, flags | O_CLOEXEC);

	(void)userdata;
	return fd < 0 ? -errno : fd;
}

static void close_restricted(int fd, void *userdata)
{
	(void)userdata;
	close(fd);
}

static const struct libinput_interface interface = {
	.open_restricted = open_restricted,
	.close_restricted = close_restricted,
};

static void clamp_pointer(struct input *in)
{
	in->px = in->px < 0 ? 0 : in->px > in->panel_w - 1 ? in->panel_w - 1 : in->px;
	in->py = in->py < 0 ? 0 : in->py > in->panel_h - 1 ? in->panel_h - 1 : in->py;
}

static void handle(struct input *in, struct libinput_event *ev)
{
	switch (libinput_event_get_type(ev)) {
	case LIBINPUT_EVENT_TOUCH_DOWN: {
		struct libinput_event_touch *t = libinput_event_get_touch_event(ev);

		/* One finger is one tap; a second finger at once is ignored. */
		if (libinput_event_touch_get_seat_slot(t) == 0)
			in->tap((int)libinput_event_touch_get_x_transformed(t,
									    (uint32_t)in->panel_w),
				(int)libinput_event_touch_get_y_transformed(t,
									    (uint32_t)in->panel_h),
				in->userdata);
		break;
	}
	case LIBINPUT_EVENT_POINTER_MOTION: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);

		in->px += libinput_event_pointer_get_dx(p);
		in->py += libinput_event_pointer_get_dy(p);
		clamp_pointer(in);
		break;
	}
	case LIBINPUT_EVENT_POINTER_MOTION_ABSOLUTE: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);

		in->px =
			libinput_event_pointer_get_absolute_x_transformed(p, (uint32_t)in->panel_w);
		in->py =
			libinput_event_pointer_get_absolute_y_transformed(p, (uint32_t)in->panel_h);
		clamp_pointer(in);
		break;
	}
	case LIBINPUT_EVENT_POINTER_BUTTON: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);

		if (libinput_event_pointer_get_button(p) == BTN_LEFT &&
		    libinput_event_pointer_get_button_state(p) == LIBINPUT_BUTTON_STATE_PRESSED)
			in->tap((int)in->px, (int)in->py, in->userdata);
		break;
	}
	case LIBINPUT_EVENT_KEYBOARD_KEY: {
		struct libinput_event_keyboard *k = libinput_event_get_keyboard_event(ev);
		const char *name = input_key_name(libinput_event_keyboard_get_key(k));

		if (name && libinput_event_keyboard_get_key_state(k) == LIBINPUT_KEY_STATE_PRESSED)
			in->key(name, in->userdata);
		break;
	}
	default:
		break;
	}
}

static int on_io(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct input *in = userdata;
	struct libinput_event *ev;

	(void)s;
	(void)fd;
	(void)revents;
	if (libinput_dispatch(in->li) < 0)
		return -EIO;
	while ((ev = libinput_get_event(in->li))) {
		handle(in, ev);
		libinput_event_destroy(ev);
	}
	return 0;
}

int input_new(struct loop *l, const char *seat, int panel_w, int panel_h, input_tap_fn tap,
	      input_key_fn key, void *userdata, struct input **ret)
{
	struct input *in = calloc(1, sizeof(*in));
	int r;

	if (!in)
		return -ENOMEM;
	in->panel_w = panel_w;
	in->panel_h = panel_h;
	in->px = panel_w / 2.0;
	in->py = panel_h / 2.0;
	in->tap = tap;
	in->key = key;
	in->userdata = userdata;
	in->udev = udev_new();
	if (in->udev)
		in->li = libinput_udev_create_context(&interface, in, in->udev);
	if (!in->li || libinput_udev_assign_seat(in->li, seat) < 0) {
		input_free(in);
		return -EIO;
	}
	r = loop_add_io(l, libinput_get_fd(in->li), EPOLLIN, on_io, in, &in->io);
	if (r < 0) {
		input_free(in);
		return r;
	}
	/* Devices already there are announced at once. */
	on_io(in->io, -1, 0, in);
	*ret = in;
	return 0;
}

struct input *input_free(struct input *in)
{
	if (!in)
		return NULL;
	in->io = loop_source_remove(in->io);
	if (in->li)
		libinput_unref(in->li);
	if (in->udev)
		udev_unref(in->udev);
	free(in);
	return NULL;
}
