/* SPDX-License-Identifier: MIT */
/* The libcamera shim: the only C++ in the booth. libcamera calls back on its own thread; the
 * callbacks only queue an event under a mutex and write an eventfd that the C event loop polls
 * (simple-cam's hand-off). Every entry point catches every exception. */
#include "lc.h"

#include <libcamera/libcamera.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <sys/eventfd.h>
#include <unistd.h>

using namespace libcamera;

namespace
{

/* libcamera allows one CameraManager per process. */
std::atomic<bool> manager_in_use{ false };

/* The formats convert.c reads, in the order we prefer them for the viewfinder (the first ones
 * go straight onto a DRM plane). */
const PixelFormat convertible[] = {
	formats::XRGB8888, formats::XBGR8888, formats::RGB888, formats::BGR888, formats::YUYV,
	formats::UYVY,	   formats::NV12,     formats::NV21,   formats::YUV420,
};

bool is_convertible(const PixelFormat &f)
{
	for (const PixelFormat &c : convertible)
		if (c == f)
			return true;
	return false;
}

/* Keep the pipeline's choice if we can read it, else the first format we can. */
void choose_format(StreamConfiguration &cfg, bool prefer_rgb)
{
	std::vector<PixelFormat> offered = cfg.formats().pixelformats();

	if (prefer_rgb) {
		for (const PixelFormat &c : convertible) {
			for (const PixelFormat &o : offered) {
				if (o == c) {
					cfg.pixelFormat = o;
					return;
				}
			}
		}
	}
	if (is_convertible(cfg.pixelFormat))
		return;
	for (const PixelFormat &o : offered) {
		if (is_convertible(o)) {
			cfg.pixelFormat = o;
			return;
		}
	}
}

uint32_t plane_stride(const PixelFormat &f, uint32_t stride, unsigned plane)
{
	if (plane > 0 && f == formats::YUV420)
		return stride / 2;
	return stride;
}

enum lc_yuv yuv_of(const StreamConfiguration &cfg)
{
	if (!cfg.colorSpace)
		return LC_YUV_BT601_LIMITED;
	bool full = cfg.colorSpace->range == ColorSpace::Range::Full;
	if (cfg.colorSpace->ycbcrEncoding == ColorSpace::YcbcrEncoding::Rec709)
		return full ? LC_YUV_BT709_FULL : LC_YUV_BT709_LIMITED;
	return full ? LC_YUV_BT601_FULL : LC_YUV_BT601_LIMITED;
}

template <typename F> int guarded(F f) noexcept
{
	try {
		return f();
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	} catch (...) {
		return -EIO;
	}
}

} /* namespace */

struct lc {
	std::unique_ptr<CameraManager> cm;
	int efd = -1;

	/* Shared with libcamera's threads. */
	std::mutex lock;
	std::deque<lc_event> events;
	std::deque<unsigned> event_session;
	std::string open_id;
	unsigned session = 0;

	/* Used from the C thread only. */
	std::shared_ptr<Camera> camera;
	bool started = false;
	std::unique_ptr<CameraConfiguration> config;
	std::unique_ptr<FrameBufferAllocator> allocator;
	Stream *vf = nullptr;
	Stream *still = nullptr;
	std::vector<std::unique_ptr<Request>> requests;

	/* Called with lock held. */
	void push(const lc_event &ev, unsigned sess)
	{
		uint64_t one = 1;

		events.push_back(ev);
		event_session.push_back(sess);
		if (write(efd, &one, sizeof(one)) < 0) {
			/* The counter is already non-zero: the loop will wake. */
		}
	}

	void cameraAdded(std::shared_ptr<Camera> cam)
	{
		(void)cam;
		try {
			std::lock_guard<std::mutex> g(lock);
			lc_event ev{};

			ev.type = LC_EVENT_CAMERA_ADDED;
			push(ev, session);
		} catch (...) {
			/* Out of memory: the periodic re-check finds the camera. */
		}
	}

	void cameraRemoved(std::shared_ptr<Camera> cam)
	{
		try {
			std::lock_guard<std::mutex> g(lock);
			lc_event ev{};

			ev.type = LC_EVENT_CAMERA_REMOVED;
			ev.current = !open_id.empty() && cam && cam->id() == open_id;
			push(ev, session);
		} catch (...) {
		}
	}

	void requestCompleted(Request *req)
	{
		try {
			lc_event ev{};

			ev.type = LC_EVENT_REQUEST;
			ev.request = static_cast<unsigned>(req->cookie());
			if (FrameBuffer *b = req->findBuffer(vf)) {
				const FrameMetadata &md = b->metadata();

				ev.ok = req->status() == Request::RequestComplete &&
					md.status == FrameMetadata::FrameSuccess;
				ev.sequence = md.sequence;
				ev.timestamp_ns = md.timestamp;
			}
			if (still) {
				if (FrameBuffer *b = req->findBuffer(still)) {
					ev.has_still = true;
					ev.still_ok =
						req->status() == Request::RequestComplete &&
						b->metadata().status == FrameMetadata::FrameSuccess;
					ev.still_buffer = static_cast<unsigned>(b->cookie());
					ev.still_timestamp_ns = b->metadata().timestamp;
				}
			}
			std::lock_guard<std::mutex> g(lock);
			push(ev, session);
		} catch (...) {
		}
	}

	void close_camera()
	{
		if (camera) {
			if (started)
				camera->stop();
			started = false;
			camera->requestCompleted.disconnect(this);
			requests.clear();
			if (allocator) {
				if (vf)
					allocator->free(vf);
				if (still)
					allocator->free(still);
			}
			allocator.reset();
			config.reset();
			camera->release();
			camera.reset();
		}
		vf = nullptr;
		still = nullptr;
		std::lock_guard<std::mutex> g(lock);
		open_id.clear();
		session++;
	}

	StreamConfiguration *stream_config(enum lc_stream s)
	{
		if (!config)
			return nullptr;
		if (s == LC_STREAM_VIEWFINDER)
			return &config->at(0);
		return still ? &config->at(1) : nullptr;
	}
};

extern "C" {

int lc_new(struct lc **ret)
{
	bool expected = false;
	int r;

	if (!manager_in_use.compare_exchange_strong(expected, true))
		return -EBUSY;
	r = guarded([&]() {
		std::unique_ptr<lc> l(new lc);

		/* libcamera's own log: warnings and worse, without colour, unless asked. The
		 * levels are read once, when its logger starts (at the latest in logSetStream). */
		setenv("LIBCAMERA_LOG_LEVELS", "*:WARN", 0);
		if (!std::getenv("LIBCAMERA_LOG_FILE"))
			logSetStream(&std::cerr, false);
		l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->efd < 0)
			return -errno;
		l->cm = std::make_unique<CameraManager>();
		l->cm->cameraAdded.connect(l.get(), &lc::cameraAdded);
		l->cm->cameraRemoved.connect(l.get(), &lc::cameraRemoved);
		int k = l->cm->start();
		if (k < 0) {
			l->cm.reset();
			close(l->efd);
			return k;
		}
		*ret = l.release();
		return 0;
	});
	if (r < 0)
		manager_in_use = false;
	return r;
}

struct lc *lc_free(struct lc *l)
{
	if (!l)
		return nullptr;
	guarded([&]() {
		l->close_camera();
		if (l->cm) {
			l->cm->stop();
			l->cm.reset();
		}
		return 0;
	});
	if (l->efd >= 0)
		close(l->efd);
	delete l;
	manager_in_use = false;
	return nullptr;
}

int lc_fd(const struct lc *l)
{
	return l->efd;
}

int lc_next_event(struct lc *l, struct lc_event *ret)
{
	return guarded([&]() {
		std::lock_guard<std::mutex> g(l->lock);

		while (!l->events.empty()) {
			lc_event ev = l->events.front();
			unsigned sess = l->event_session.front();

			l->events.pop_front();
			l->event_session.pop_front();
			if (ev.type == LC_EVENT_REQUEST && sess != l->session)
				continue;
			*ret = ev;
			return 1;
		}
		uint64_t v;
		/* Drained under the lock: a callback that queues now writes the fd again. */
		if (read(l->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: nothing was signalled. */
		}
		return 0;
	});
}

int lc_camera_count(struct lc *l)
{
	return guarded([&]() { return static_cast<int>(l->cm->cameras().size()); });
}

bool lc_is_open(const struct lc *l)
{
	return l->camera != nullptr;
}

int lc_open(struct lc *l, unsigned index, const struct lc_want *want, char *model, size_t n)
{
	if (l->camera)
		return -EALREADY;
	int r = guarded([&]() {
		std::vector<std::shared_ptr<Camera>> cams = l->cm->cameras();

		if (index >= cams.size())
			return -ENODEV;
		std::shared_ptr<Camera> cam = cams[index];
		int k = cam->acquire();
		if (k < 0)
			return k;
		l->camera = cam;

		/* A viewfinder and a second stream where the pipeline has two (Raspberry Pi): the
		 * capture stream (VideoRecording, else StillCapture at its size) or, for full
		 * stills, StillCapture; else one stream (uvcvideo, vimc) that serves both. */
		std::vector<std::vector<StreamRole>> tries;
		if (!want->full)
			tries.push_back({ StreamRole::Viewfinder, StreamRole::VideoRecording });
		tries.push_back({ StreamRole::Viewfinder, StreamRole::StillCapture });
		tries.push_back({ StreamRole::Viewfinder });
		std::unique_ptr<CameraConfiguration> cfg;
		for (size_t attempt = 0; attempt < tries.size(); attempt++) {
			cfg = cam->generateConfiguration(tries[attempt]);
			if (!cfg || cfg->size() != tries[attempt].size()) {
				if (attempt + 1 == tries.size())
					return -EINVAL;
				continue;
			}
			StreamConfiguration &v = cfg->at(0);
			v.size = Size(want->preview_width, want->preview_height);
			choose_format(v, true);
			if (cfg->size() == 2) {
				StreamConfiguration &s = cfg->at(1);
				s.size = Size(want->still_width, want->still_height);
				choose_format(s, false);
			}
			if (cfg->validate() != CameraConfiguration::Invalid)
				break;
			if (attempt + 1 == tries.size())
				return -EINVAL;
		}
		k = cam->configure(cfg.get());
		if (k < 0)
			return k;
		l->config = std::move(cfg);
		l->vf = l->config->at(0).stream();
		l->still = l->config->size() == 2 ? l->config->at(1).stream() : nullptr;

		l->allocator = std::make_unique<FrameBufferAllocator>(cam);
		k = l->allocator->allocate(l->vf);
		if (k <= 0)
			return k < 0 ? k : -ENOMEM;
		if (l->still) {
			k = l->allocator->allocate(l->still);
			if (k <= 0)
				return k < 0 ? k : -ENOMEM;
			const auto &sbufs = l->allocator->buffers(l->still);
			for (size_t i = 0; i < sbufs.size(); i++)
				sbufs[i]->setCookie(i);
		}
		const auto &bufs = l->allocator->buffers(l->vf);
		for (size_t i = 0; i < bufs.size(); i++) {
			std::unique_ptr<Request> req = cam->createRequest(i);
			if (!req)
				return -ENOMEM;
			l->requests.push_back(std::move(req));
		}
		cam->requestCompleted.connect(l, &lc::requestCompleted);

		std::string name = cam->id();
		const auto m = cam->properties().get(properties::Model);
		if (m && !m->empty())
			name = *m;
		std::snprintf(model, n, "%s", name.c_str());
		std::lock_guard<std::mutex> g(l->lock);
		l->open_id = cam->id();
		return 0;
	});
	if (r < 0)
		lc_close(l);
	return r;
}

int lc_get_stream(struct lc *l, enum lc_stream s, struct lc_stream_info *ret)
{
	if (!l->camera)
		return -ENODEV;
	return guarded([&]() {
		StreamConfiguration *c = l->stream_config(s);

		if (!c)
			return -ENOENT;
		*ret = {};
		ret->width = c->size.width;
		ret->height = c->size.height;
		ret->stride = c->stride;
		ret->fourcc = c->pixelFormat.fourcc();
		ret->modifier = c->pixelFormat.modifier();
		ret->yuv = yuv_of(*c);
		ret->n_buffers = static_cast<unsigned>(l->allocator->buffers(c->stream()).size());
		return 0;
	});
}

int lc_get_buffer(struct lc *l, enum lc_stream s, unsigned index, struct lc_buffer *ret)
{
	if (!l->camera)
		return -ENODEV;
	return guarded([&]() {
		StreamConfiguration *c = l->stream_config(s);

		if (!c)
			return -ENOENT;
		const auto &bufs = l->allocator->buffers(c->stream());
		if (index >= bufs.size())
			return -ENOENT;
		const std::vector<FrameBuffer::Plane> &planes = bufs[index]->planes();
		if (planes.empty() || planes.size() > LC_MAX_PLANES)
			return -EINVAL;
		*ret = {};
		ret->n_planes = static_cast<unsigned>(planes.size());
		for (size_t i = 0; i < planes.size(); i++) {
			const FrameBuffer::Plane &p = planes[i];

			ret->planes[i].fd = p.fd.get();
			ret->planes[i].offset =
				p.offset == FrameBuffer::Plane::kInvalidOffset ? 0 : p.offset;
			ret->planes[i].length = p.length;
			ret->planes[i].stride =
				plane_stride(c->pixelFormat, c->stride, static_cast<unsigned>(i));
		}
		return 0;
	});
}

int lc_start(struct lc *l, int fps)
{
	if (!l->camera)
		return -ENODEV;
	return guarded([&]() {
		ControlList ctrls(l->camera->controls());

		if (fps > 0 && l->camera->controls().count(&controls::FrameDurationLimits)) {
			const int64_t d = 1000000 / fps;
			const int64_t limits[2] = { d, d };

			ctrls.set(controls::FrameDurationLimits, Span<const int64_t, 2>(limits));
		}
		int k = l->camera->start(&ctrls);
		if (k < 0)
			return k;
		l->started = true;
		return 0;
	});
}

int lc_queue(struct lc *l, unsigned index, int still_buffer)
{
	if (!l->camera || !l->started)
		return -ENODEV;
	return guarded([&]() {
		if (index >= l->requests.size())
			return -EINVAL;
		Request *req = l->requests[index].get();
		const auto &vbufs = l->allocator->buffers(l->vf);

		req->reuse(Request::Default);
		int k = req->addBuffer(l->vf, vbufs[index].get());
		if (k == 0 && still_buffer >= 0 && l->still) {
			const auto &sbufs = l->allocator->buffers(l->still);
			if (static_cast<size_t>(still_buffer) >= sbufs.size())
				return -EINVAL;
			k = req->addBuffer(l->still, sbufs[still_buffer].get());
		}
		if (k == 0)
			k = l->camera->queueRequest(req);
		return k;
	});
}

void lc_close(struct lc *l)
{
	guarded([&]() {
		l->close_camera();
		return 0;
	});
}

} /* extern "C" */
