# SPDX-License-Identifier: MIT
# The photo booth: one non-recursive Makefile for every daemon, tool and test.
#
#   make              build every daemon and tool into build/
#   make run          run the booth on this machine (private broker, simulated hardware)
#   make test         unit and integration tests against a real broker and real SQLite
#   make check        the same, built with AddressSanitizer and UBSan
#   make lint         cppcheck and clang-tidy, zero findings
#   make format       clang-format the sources; make format-check only checks
#   make install      DESTDIR=... PREFIX=...
#   make fuzz         build the libFuzzer targets (clang) and run each briefly

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
DATADIR ?= $(PREFIX)/share
DESTDIR ?=
CROSS_COMPILE ?=
CC := $(if $(filter default,$(origin CC)),$(CROSS_COMPILE)gcc,$(CC))
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
B ?= build

CXX := $(if $(filter default,$(origin CXX)),$(CROSS_COMPILE)g++,$(CXX))

# Every library through pkg-config. Processes list what they use; everything links with
# --as-needed, so a binary only depends on the libraries it calls.
PKGS_BUS := libmosquitto json-c libsystemd
PKGS_BOOTHD := sqlite3 libturbojpeg libpng freetype2 harfbuzz fontconfig
PKGS_CAMERA := libcamera libturbojpeg libcrypto
# CUPS ships no cups.pc: cups-config is its pkg-config.
CUPS_CFLAGS := $(shell $(CROSS_COMPILE)cups-config --cflags 2>/dev/null)
# A cross build has no cross cups-config: Debian's multiarch libcups is found as -lcups.
CUPS_LIBS := $(shell $(CROSS_COMPILE)cups-config --libs 2>/dev/null || echo -lcups)
PKGS := $(sort $(PKGS_BUS) $(PKGS_BOOTHD) $(PKGS_CAMERA))
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(CUPS_CFLAGS)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) $(CUPS_LIBS)

WARNINGS := -Wall -Wextra -Wshadow -Wpointer-arith -Wundef -Wformat=2 -Werror
C_WARNINGS := $(WARNINGS) -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
CXXFLAGS ?= $(CFLAGS)
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HARDEN :=
else
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif
INCLUDES := -Icommon -Imqtt -Ibooth -Icamera -Iprinter
ALL_CFLAGS := -std=gnu11 $(C_WARNINGS) $(CFLAGS) $(HARDEN) $(SAN_FLAGS) -MMD -MP \
	$(INCLUDES) $(PKG_CFLAGS) -DBOOTH_VERSION='"$(VERSION)"'
ALL_CXXFLAGS := -std=c++17 $(WARNINGS) $(CXXFLAGS) $(HARDEN) $(SAN_FLAGS) -MMD -MP \
	$(INCLUDES) $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS) -Wl,--as-needed
# The C++ runtime comes in only with the libcamera shim; g++ links C objects just as well.
LINK = $(CXX) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

COMMON_SRC := $(wildcard common/*.c)
BUS_SRC := mqtt/bus.c mqtt/codec.c mqtt/topics.c
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(COMMON_SRC) $(BUS_SRC))
# Each process's modules (everything but its main file) go into an archive that the daemon, its
# tools and the unit tests link.
BOOTHD_SRC := $(filter-out booth/boothd.c booth/booth-compose.c,$(wildcard booth/*.c))
CAMERA_SRC := $(filter-out camera/booth-camera.c,$(wildcard camera/*.c camera/*.cpp))
PRINTER_SRC := $(filter-out printer/booth-printer.c,$(wildcard printer/*.c))
objs = $(patsubst %.cpp,$(B)/%.o,$(patsubst %.c,$(B)/%.o,$(1)))
ARCHIVES := $(B)/libboothd.a $(B)/libcamerad.a $(B)/libprinterd.a $(B)/libbooth.a

DAEMONS := $(B)/boothd $(if $(wildcard camera/booth-camera.c),$(B)/booth-camera) \
	$(if $(wildcard printer/booth-printer.c),$(B)/booth-printer)
TOOLS := $(B)/booth-topics $(if $(wildcard booth/booth-compose.c),$(B)/booth-compose)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test-*.c))
INTEGRATION_TESTS := $(patsubst tests/integration/%.c,$(B)/tests/%,\
	$(wildcard tests/integration/test-*.c))
TEST_HARNESS := $(B)/tests/harness.o
INTEGRATION_HARNESS := $(B)/tests/integration/env.o

.PHONY: all run test unit integration check lint format format-check install fuzz clean \
	deps-build deps-test deps-lint fuzz-deps fuzz-run bench
all: $(DAEMONS) $(TOOLS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(B)/libbooth.a: $(LIB_OBJ)
	$(CROSS_COMPILE)ar rcs $@ $^
$(B)/libboothd.a: $(call objs,$(BOOTHD_SRC))
	@mkdir -p $(@D)
	$(CROSS_COMPILE)ar rcs $@ $^
$(B)/libcamerad.a: $(call objs,$(CAMERA_SRC))
	@mkdir -p $(@D)
	$(CROSS_COMPILE)ar rcs $@ $^
$(B)/libprinterd.a: $(call objs,$(PRINTER_SRC))
	@mkdir -p $(@D)
	$(CROSS_COMPILE)ar rcs $@ $^

$(B)/boothd: $(B)/booth/boothd.o $(B)/libboothd.a $(B)/libbooth.a
	$(LINK)
$(B)/booth-compose: $(B)/booth/booth-compose.o $(B)/libboothd.a $(B)/libbooth.a
	$(LINK)
$(B)/booth-camera: $(B)/camera/booth-camera.o $(B)/libcamerad.a $(B)/libbooth.a
	$(LINK)
$(B)/booth-printer: $(B)/printer/booth-printer.o $(B)/libprinterd.a $(B)/libbooth.a
	$(LINK)
$(B)/booth-topics: $(B)/mqtt/booth-topics.o $(B)/libbooth.a
	$(LINK)

# Tests link the archives of the modules they test; only test-camera* need the camera's.
TEST_ARCHIVES := $(B)/libboothd.a $(B)/libprinterd.a $(B)/libbooth.a
$(B)/tests/test-camera%: $(B)/tests/unit/test-camera%.o $(TEST_HARNESS) $(B)/libcamerad.a \
		$(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/test-camera%: $(B)/tests/integration/test-camera%.o $(INTEGRATION_HARNESS) \
		$(TEST_HARNESS) $(B)/libcamerad.a $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/%: $(B)/tests/unit/%.o $(TEST_HARNESS) $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/%: $(B)/tests/integration/%.o $(INTEGRATION_HARNESS) $(TEST_HARNESS) $(TEST_ARCHIVES)
	$(LINK)

$(B)/tests/%.o: ALL_CFLAGS += -Itests -Itests/integration

deps-build:
	@scripts/deps build
deps-test:
	@scripts/deps build test
deps-lint:
	@scripts/deps build lint

# The tests run the real broker with credentials generated for each run.
test: deps-test
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(INTEGRATION_TESTS)
	@tests/run $(B) $(UNIT_TESTS) $(INTEGRATION_TESTS)

unit: deps-test
	@$(MAKE) --no-print-directory $(UNIT_TESTS)
	@tests/run $(B) $(UNIT_TESTS)

integration: deps-test
	@$(MAKE) --no-print-directory all $(INTEGRATION_TESTS)
	@tests/run $(B) $(INTEGRATION_TESTS)

check:
	@scripts/deps build test check
	@$(MAKE) --no-print-directory B=build/san SAN=1 CFLAGS="-O1 -g" test

run: deps-test all
	@scripts/run-booth $(B)

LINT_SRC := $(COMMON_SRC) $(BUS_SRC) mqtt/booth-topics.c $(wildcard booth/*.c) \
	$(wildcard camera/*.c printer/*.c) \
	$(wildcard tests/*.c tests/unit/*.c tests/integration/*.c tests/fuzz/*.c)
# cppcheck on every core; clang-tidy as two processes, each on half of the files.
LINT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
LINT_HALF = $(shell echo $$(( $(words $(LINT_SRC)) / 2 )))
TIDY = clang-tidy --quiet --warnings-as-errors='*'
TIDY_ARGS = -- -std=gnu11 $(INCLUDES) -Itests -Itests/integration $(PKG_CFLAGS) \
	-DBOOTH_VERSION='"$(VERSION)"'
lint: deps-lint
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		-j $(LINT_JOBS) --inline-suppr --std=c11 $(INCLUDES) -Itests \
		-Itests/integration --suppress=missingIncludeSystem $(LINT_SRC)
	$(TIDY) $(wordlist 1,$(LINT_HALF),$(LINT_SRC)) $(TIDY_ARGS) 2>/dev/null & first=$$!; \
	$(TIDY) $(wordlist $(shell echo $$(( $(LINT_HALF) + 1 ))),$(words $(LINT_SRC)),$(LINT_SRC)) \
		$(TIDY_ARGS) 2>/dev/null; second=$$?; \
	wait $$first && [ $$second -eq 0 ]

FORMAT_SRC := $(wildcard common/*.[ch] mqtt/*.[ch] booth/*.[ch] camera/*.[ch] camera/*.cpp \
	printer/*.[ch] tests/*.[ch] tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_SRC)
format-check: deps-lint
	clang-format --dry-run --Werror $(FORMAT_SRC)

fuzz-deps:
	@scripts/deps build fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(INCLUDES) $(PKG_CFLAGS)
$(B)/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(BUS_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(PKG_LIBS)
fuzz: fuzz-deps
	@$(MAKE) --no-print-directory -j2 $(FUZZ_TARGETS)
	@$(MAKE) --no-print-directory fuzz-run
# Two targets at a time (libFuzzer uses one core each).
fuzz-run:
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P 2 -I{} sh -c 'f={}; n=$${f##*/}; \
		echo "fuzzing $$n for $${FUZZ_SECONDS:-20} s"; \
		mkdir -p $(B)/fuzz/corpus-$$n; \
		$$f -max_total_time=$${FUZZ_SECONDS:-20} -max_len=65536 $(B)/fuzz/corpus-$$n \
			tests/fuzz/seeds/$${n#fuzz-} >$(B)/fuzz/$$n.log 2>&1 || \
		{ tail -40 $(B)/fuzz/$$n.log; exit 255; }'

# The strip composer (booth/compose.c, layout.c, resample.c, text.c) decodes and encodes through
# libjpeg-turbo's libjpeg API: scanline streaming keeps a whole JPEG file out of memory.
JPEG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libjpeg 2>/dev/null)
PKG_LIBS += $(shell $(PKG_CONFIG) --libs libjpeg 2>/dev/null) -lm
LAYOUT_DIR ?= $(DATADIR)/booth/layouts
$(B)/booth/%.o: ALL_CFLAGS += $(JPEG_CFLAGS)
$(B)/booth/booth-compose.o $(B)/booth/layout.o $(B)/booth/settings.o: ALL_CFLAGS += -DBOOTH_LAYOUT_DIR='"$(LAYOUT_DIR)"'
# Fuzz targets that need a parser besides common/ and mqtt/.
$(B)/fuzz/fuzz-layout: booth/layout.c
$(B)/fuzz/fuzz-preview: camera/preview-proto.c
$(B)/fuzz/fuzz-tray: printer/tray.c
$(B)/fuzz/fuzz-figures: booth/figures.c
.PHONY: install-layouts
install: install-layouts
install-layouts:
	install -d $(DESTDIR)$(LAYOUT_DIR)
	install -m 0644 layouts/*.layout $(DESTDIR)$(LAYOUT_DIR)
# Times the composer against GraphicsMagick and ImageMagick on the same inputs, then booth-ui's
# countdown frame and memory, then the whole stack: guest sessions end to end, owner commands
# over TLS, every process's memory (docs/performance.md).
bench: all
	@scripts/deps bench
	@scripts/bench-compose $(B)
	@scripts/bench-ui $(B)
	@scripts/bench-stack $(B)

install: all install-systemd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/booth $(DESTDIR)$(DATADIR)/booth
	install -m 0755 $(DAEMONS) $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 0644 booth.conf.example $(DESTDIR)$(DATADIR)/booth/booth.conf.example
	@# An owner's configuration is never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/booth/booth.conf || \
		install -m 0644 booth.conf.example $(DESTDIR)$(SYSCONFDIR)/booth/booth.conf

# systemd units, users and directories, and the first-boot step that makes the broker's
# credentials (no build needed: tests install just this).
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g'
.PHONY: install-systemd
install-systemd:
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(DATADIR)/booth
	for u in systemd/*.service systemd/*.target; do \
		$(SUBST) $$u > $(DESTDIR)$(SYSTEMDDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$${u##*/} || exit 1; \
	done
	install -m 0644 systemd/booth.sysusers $(DESTDIR)$(SYSUSERSDIR)/booth.conf
	install -m 0644 systemd/booth.tmpfiles $(DESTDIR)$(TMPFILESDIR)/booth.conf
	install -m 0755 mqtt/broker-setup $(DESTDIR)$(DATADIR)/booth/broker-setup
	install -m 0644 mqtt/mosquitto.conf.in $(DESTDIR)$(DATADIR)/booth/mosquitto.conf.in
	$(SUBST) mqtt/firstboot > $(DESTDIR)$(DATADIR)/booth/firstboot
	chmod 0755 $(DESTDIR)$(DATADIR)/booth/firstboot

clean:
	rm -rf build

# A long soak: 1000 guest sessions in a row, with memory and descriptor figures.
.PHONY: soak chaos
soak: deps-test all $(B)/tests/test-soak
	SOAK_SESSIONS=1000 TEST_TIMEOUT=7200 tests/run $(B) $(B)/tests/test-soak
# The crash test at length: 200 sessions under random SIGKILLs (make test runs 60).
chaos: deps-test all $(B)/tests/test-chaos
	CHAOS_SESSIONS=200 TEST_TIMEOUT=3600 tests/run $(B) $(B)/tests/test-chaos

# (Not under $(B)/vm, where make vm-test unpacks a whole root file system.)
-include $(shell find $(B) -path $(B)/vm -prune -o -name '*.d' -type f -print 2>/dev/null)

# --- ui --- booth-ui: the screens (ui/). Its modules go into libuid.a, which booth-ui and the
# test-ui* tests link; text comes from the composer's booth/text.c (libboothd.a), scaling from
# pixman, screenshots through libpng, the screen through libdrm (or an SDL2 window), input through
# libinput.
UI_SRC := $(filter-out ui/booth-ui.c,$(wildcard ui/*.c))
PKGS_UI := pixman-1 libdrm libinput libudev sdl2
PIXMAN_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS_UI) 2>/dev/null)
PKG_CFLAGS += $(PIXMAN_CFLAGS)
PKG_LIBS += $(shell $(PKG_CONFIG) --libs $(PKGS_UI) 2>/dev/null)
INCLUDES += -Iui
DAEMONS += $(if $(wildcard ui/booth-ui.c),$(B)/booth-ui)
ARCHIVES += $(B)/libuid.a
all: $(if $(wildcard ui/booth-ui.c),$(B)/booth-ui)
$(B)/ui/%.o: ALL_CFLAGS += -Iui $(PIXMAN_CFLAGS)
$(B)/libuid.a: $(call objs,$(UI_SRC))
	@mkdir -p $(@D)
	$(CROSS_COMPILE)ar rcs $@ $^
$(B)/booth-ui: $(B)/ui/booth-ui.o $(B)/libuid.a $(B)/libboothd.a $(B)/libbooth.a
	$(LINK)
$(B)/tests/test-ui%: $(B)/tests/unit/test-ui%.o $(TEST_HARNESS) $(B)/libuid.a $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/test-ui%: $(B)/tests/integration/test-ui%.o $(INTEGRATION_HARNESS) $(TEST_HARNESS) \
		$(B)/libuid.a $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/unit/test-ui%.o: ALL_CFLAGS += -Iui $(PIXMAN_CFLAGS)
$(B)/tests/integration/test-ui%.o: ALL_CFLAGS += -Iui
# make bench: the UI's frame time (tests/bench/bench-ui.c) beside the composer's figures.
$(B)/bench-ui: $(B)/tests/bench/bench-ui.o $(B)/libuid.a $(B)/libboothd.a $(B)/libbooth.a
	$(LINK)
$(B)/tests/bench/%.o: ALL_CFLAGS += -Iui $(PIXMAN_CFLAGS)
bench: $(B)/bench-ui
LINT_SRC += $(wildcard ui/*.c tests/bench/*.c)
FORMAT_SRC += $(wildcard ui/*.[ch] tests/bench/*.c)
# --- end ui ---

# make bench's whole-stack figures (tests/bench/bench-stack.c, run by scripts/bench-stack): it
# starts the stack with the integration tests' environment, so it lives beside the tests.
$(B)/tests/bench-stack: $(B)/tests/bench/bench-stack.o $(INTEGRATION_HARNESS) $(TEST_HARNESS) \
		$(TEST_ARCHIVES)
	$(LINK)
bench: $(B)/tests/bench-stack

# --- telemetry --- booth-telemetry: opt-in anonymized health reports (telemetry/). Its modules
# go into libtelemetryd.a, which booth-telemetry and the test-telemetry* tests link.
TELEMETRY_SRC := $(filter-out telemetry/booth-telemetry.c,$(wildcard telemetry/*.c))
INCLUDES += -Itelemetry
DAEMONS += $(B)/booth-telemetry
ARCHIVES += $(B)/libtelemetryd.a
all: $(B)/booth-telemetry
$(B)/libtelemetryd.a: $(call objs,$(TELEMETRY_SRC))
	@mkdir -p $(@D)
	$(CROSS_COMPILE)ar rcs $@ $^
$(B)/booth-telemetry: $(B)/telemetry/booth-telemetry.o $(B)/libtelemetryd.a $(B)/libbooth.a
	$(LINK)
$(B)/tests/test-telemetry%: $(B)/tests/unit/test-telemetry%.o $(TEST_HARNESS) \
		$(B)/libtelemetryd.a $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/test-telemetry%: $(B)/tests/integration/test-telemetry%.o $(INTEGRATION_HARNESS) \
		$(TEST_HARNESS) $(B)/libtelemetryd.a $(TEST_ARCHIVES)
	$(LINK)
$(B)/tests/unit/test-telemetry%.o $(B)/tests/integration/test-telemetry%.o: \
	ALL_CFLAGS += -Itelemetry
$(B)/fuzz/fuzz-report: telemetry/report.c
$(B)/fuzz/fuzz-report: FUZZ_CFLAGS += -Itelemetry
LINT_SRC += $(wildcard telemetry/*.c)
FORMAT_SRC += $(wildcard telemetry/*.[ch])
# --- end telemetry ---

# --- image --- the SD-card image (image-build/) and the system test on real kernel drivers in a
# VM: make vm-test boots the amd64 twin of the image under QEMU with vkms, vimc and uinput and
# runs a guest session in it (docs/image.md).
VM_TOOLS := $(B)/vm-touch $(B)/fbgrab
$(B)/tests/vm/%.o: ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags libdrm libpng 2>/dev/null)
$(B)/vm-touch: $(B)/tests/vm/vm-touch.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/fbgrab: $(B)/tests/vm/fbgrab.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libdrm libpng 2>/dev/null)
.PHONY: vm-test deps-vm
deps-vm:
	@scripts/deps build test vm
# The image's binaries are built apart, for PREFIX=/usr (the layouts' folder is compiled in).
VM_B := $(B)/vm/booth
vm-test: deps-vm
	@$(MAKE) --no-print-directory B=$(VM_B) PREFIX=/usr all $(VM_B)/vm-touch $(VM_B)/fbgrab \
		>$(B)/vm-build.log 2>&1 || { tail -30 $(B)/vm-build.log; exit 1; }
	@image-build/vm/run $(VM_B) $(B)/vm
# Cross-building for arm64 against Debian's arm64 -dev packages (image-build/cross-deps installs
# them), and the unit tests run under qemu-user.
ARM64_B := $(B)/arm64
ARM64 := B=$(ARM64_B) PREFIX=/usr CROSS_COMPILE=aarch64-linux-gnu- \
	PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config"
.PHONY: arm64 arm64-test image image-test image-raspios
arm64:
	@image-build/cross-deps
	@$(MAKE) --no-print-directory $(ARM64) all
arm64-test: arm64
	@$(MAKE) --no-print-directory $(ARM64) $(patsubst $(B)/%,$(ARM64_B)/%,$(UNIT_TESTS))
	@image-build/binfmt-arm64
	@tests/run $(ARM64_B) \
		$(patsubst $(B)/%,$(ARM64_B)/%,$(UNIT_TESTS))
# The SD-card images (docs/image.md). The root file system is built under qemu-user and the
# image booted under qemu-system-aarch64: both take the cores, hence nice. make image-test is not
# in CI's default run (CI_IMAGE=1 adds it).
image: arm64
	@scripts/deps image
	@nice -n 10 image-build/build-image debian $(B)/image/booth-debian-arm64.img $(ARM64)
image-test: image
	@image-build/image-test $(B)/image/booth-debian-arm64.img
image-raspios:
	@scripts/deps image
	@nice -n 10 image-build/build-image raspios $(B)/image/booth-raspios-arm64.img
LINT_SRC += $(wildcard tests/vm/*.c)
FORMAT_SRC += $(wildcard tests/vm/*.c)
# --- end image ---
