/* SPDX-License-Identifier: MIT */
/* A touch screen made through uinput, for the VM test: it appears to udev and libinput as a
 * real direct-touch device, and taps where told. Reads lines "tap X Y" (X, Y from 0 to 1, the
 * fraction of the screen) and "sleep MS" from stdin; removes the device at end of input. */
#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define AXIS_MAX 32767

static int emit(int fd, unsigned short type, unsigned short code, int value)
{
	struct input_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.code = code;
	ev.value = value;
	return write(fd, &ev, sizeof(ev)) == (ssize_t)sizeof(ev) ? 0 : -errno;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int axis(int fd, unsigned short code)
{
	struct uinput_abs_setup a;

	memset(&a, 0, sizeof(a));
	a.code = code;
	a.absinfo.maximum = code == ABS_MT_SLOT ? 9 : code == ABS_MT_TRACKING_ID ? 65535 : AXIS_MAX;
	a.absinfo.resolution = code == ABS_MT_SLOT || code == ABS_MT_TRACKING_ID ? 0 : 100;
	if (ioctl(fd, UI_SET_ABSBIT, code) < 0 || ioctl(fd, UI_ABS_SETUP, &a) < 0)
		return -errno;
	return 0;
}

static int make_device(void)
{
	static const unsigned short axes[] = {
		ABS_X, ABS_Y, ABS_MT_SLOT, ABS_MT_TRACKING_ID, ABS_MT_POSITION_X, ABS_MT_POSITION_Y
	};
	struct uinput_setup setup;
	int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(&setup, 0, sizeof(setup));
	setup.id.bustype = BUS_VIRTUAL;
	setup.id.vendor = 0x1209;
	setup.id.product = 0xb007;
	snprintf(setup.name, sizeof(setup.name), "Booth VM touch screen");
	if (ioctl(fd, UI_SET_EVBIT, EV_KEY) < 0 || ioctl(fd, UI_SET_KEYBIT, BTN_TOUCH) < 0 ||
	    ioctl(fd, UI_SET_EVBIT, EV_ABS) < 0 || ioctl(fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(axes) / sizeof(axes[0]); i++)
		if (axis(fd, axes[i]) < 0)
			goto fail;
	if (ioctl(fd, UI_DEV_SETUP, &setup) < 0 || ioctl(fd, UI_DEV_CREATE) < 0)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "vm-touch: uinput: %s\n", strerror(errno));
	close(fd);
	return -1;
}

static int tap(int fd, double x, double y, int id)
{
	int ax = (int)(x * AXIS_MAX), ay = (int)(y * AXIS_MAX);
	int r = 0;

	r |= emit(fd, EV_ABS, ABS_MT_SLOT, 0);
	r |= emit(fd, EV_ABS, ABS_MT_TRACKING_ID, id);
	r |= emit(fd, EV_ABS, ABS_MT_POSITION_X, ax);
	r |= emit(fd, EV_ABS, ABS_MT_POSITION_Y, ay);
	r |= emit(fd, EV_KEY, BTN_TOUCH, 1);
	r |= emit(fd, EV_ABS, ABS_X, ax);
	r |= emit(fd, EV_ABS, ABS_Y, ay);
	r |= emit(fd, EV_SYN, SYN_REPORT, 0);
	sleep_ms(80);
	r |= emit(fd, EV_ABS, ABS_MT_TRACKING_ID, -1);
	r |= emit(fd, EV_KEY, BTN_TOUCH, 0);
	r |= emit(fd, EV_SYN, SYN_REPORT, 0);
	return r;
}

int main(void)
{
	char line[128];
	int fd = make_device(), id = 1, rc = 0;

	if (fd < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		char *end;

		if (strncmp(line, "tap ", 4) == 0) {
			double x = strtod(line + 4, &end);
			double y = strtod(end, &end);

			if (tap(fd, x, y, id++) < 0) {
				fprintf(stderr, "vm-touch: write: %s\n", strerror(errno));
				rc = 1;
			}
		} else if (strncmp(line, "sleep ", 6) == 0) {
			sleep_ms(strtol(line + 6, &end, 10));
		}
	}
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
	return rc;
}
