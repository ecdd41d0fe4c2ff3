# SPDX-License-Identifier: GPL-2.0-or-later
# twscope: one non-recursive GNU Makefile. `make help` lists the targets.

VERSION     := 0.1.0
PKG_CONFIG  ?= pkg-config
CC          ?= cc
CLANG       ?= clang
# bpftool lives in /usr/sbin on Debian, outside an ordinary user's PATH.
ifeq ($(origin BPFTOOL),undefined)
BPFTOOL     := $(firstword $(shell command -v bpftool 2>/dev/null) $(wildcard /usr/sbin/bpftool /sbin/bpftool) bpftool)
endif
LLVM_STRIP  ?= llvm-strip
BPF         ?= 1
SANITIZE    ?=
DEVELOPER   ?= 1
V           ?= 0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/twscope
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
FUZZ        ?= 0
FUZZ_SECONDS ?= 60
# Root building in a clone that belongs to someone else (`sudo make check` in a
# user's checkout) builds into .output-root* and never writes ./twscope, so no
# root-owned file lands among the user's build files (docs/install.md).
ROOT_SFX    := $(if $(filter 0,$(shell id -u)),$(if $(filter-out 0,$(shell stat -c %u . 2>/dev/null)),-root))
ifeq ($(FUZZ),1)
# libFuzzer build: clang, no BPF skeleton, its own output folder (make fuzz).
CC          := $(CLANG)
BPF         := 0
SANITIZE    :=
OUT         := .output$(ROOT_SFX)-fuzz
else
OUT         := .output$(ROOT_SFX)$(if $(SANITIZE),-san)
endif
FUZZ_OUT    := .output$(ROOT_SFX)-fuzz
ARCH        := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

PKGS        := libmnl libnftnl libip4tc json-c libmicrohttpd yaml-0.1 gnutls libcrypt ncursesw cairo fontconfig sqlite3
PKG_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifeq ($(BPF),1)
PKG_CFLAGS  += $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
PKG_LIBS    += $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null)
endif

WARN        := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wno-format-nonliteral
ifeq ($(DEVELOPER),1)
WARN        += -Werror
endif
CFLAGS      ?= -O2 -g
ALL_CFLAGS  := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -DTW_VERSION='"$(VERSION)"' \
               -DTW_HAVE_BPF=$(BPF) -Isrc -I$(OUT) $(PKG_CFLAGS) $(CPPFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS)
ifneq ($(SANITIZE),)
ifeq ($(SANITIZE),1)
override SANITIZE := address,undefined
endif
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
ifeq ($(FUZZ),1)
FUZZ_SAN    := address,undefined,float-cast-overflow
ALL_CFLAGS  += -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(FUZZ_SAN)
endif
LIBS        := $(PKG_LIBS) -lm

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Every src/*.c except main() goes into a static library so unit tests link the same objects.
MAIN_SRC    := src/twscope.c
BPF_SRCS    := $(wildcard src/bpf/*.bpf.c)
# One folder per subsystem (src/bpf holds the eBPF programs, built apart).
SUBSYSTEMS  := lab doctor bundle serve netns conntrack top graph history
LIB_SRCS    := $(filter-out $(MAIN_SRC),$(wildcard src/*.c $(SUBSYSTEMS:%=src/%/*.c)))
ifneq ($(BPF),1)
LIB_SRCS    := $(filter-out src/tracer.c,$(LIB_SRCS))
endif
LIB_OBJS    := $(LIB_SRCS:%.c=$(OUT)/%.o) $(OUT)/gen/docs-text.o $(OUT)/gen/web-assets.o
# `twscope explain` renders these docs: embedded, so their text exists once.
EMBED_DOCS  := explain_findings_md docs/findings.md explain_lab_md docs/lab.md \
               explain_kernel_md docs/kernel.md
# serve's landing page (src/serve/webassets.c maps URLs to these names); the
# uPlot files are vendored from npm into web/vendor/ by `make web-vendor`.
EMBED_WEB   := web_index_html web/index.html web_app_js web/app.js web_app_css web/app.css \
               web_favicon_svg web/favicon.svg \
               web_uplot_js web/vendor/uPlot.iife.min.js web_uplot_css web/vendor/uPlot.min.css \
               web_uplot_license web/vendor/uPlot.LICENSE
MAIN_OBJ    := $(OUT)/src/twscope.o
LIB         := $(OUT)/libtwscope.a
SKELS       := $(BPF_SRCS:src/bpf/%.bpf.c=$(OUT)/%.skel.h)

UNIT_SRCS   := $(wildcard tests/unit/test-*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(OUT)/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(OUT)/helpers/%)
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(OUT)/fuzz/%)
BENCH_SRCS  := $(wildcard bench/*.c)
BENCH_BINS  := $(BENCH_SRCS:bench/%.c=$(OUT)/bench/%)

.PHONY: all deps test-deps fuzz-deps check check-unit check-integration bench install clean vmlinux \
	help fuzz fuzz-bins completion web-vendor deb check-deb check-user check-fresh check-kernels
.DELETE_ON_ERROR:
.SECONDARY:

# A sanitizer build lives apart (.output-san/twscope) so it never replaces
# ./twscope; so does root's build in someone else's clone (.output-root/twscope).
ifneq ($(SANITIZE)$(ROOT_SFX),)
BIN := $(OUT)/twscope
else
BIN := twscope
endif
export TWSCOPE := $(abspath $(BIN))

COMPLETION  := $(OUT)/completion/twscope

all: $(BIN) $(COMPLETION)

# Bash completion, generated from the command and option tables.
completion: $(COMPLETION)
$(COMPLETION): scripts/gen-completion src/twscope.c $(wildcard src/cmd-*.c src/lab/scn-*.c)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && scripts/gen-completion src > $@.tmp && mv $@.tmp $@

$(BIN): $(MAIN_OBJ) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LIBS)

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/%.o: %.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT)/gen/docs-text.c: scripts/embed-text $(filter docs/%,$(EMBED_DOCS))
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && scripts/embed-text $(EMBED_DOCS) > $@

$(OUT)/gen/docs-text.o: $(OUT)/gen/docs-text.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT)/gen/web-assets.c: scripts/embed-text $(filter web/%,$(EMBED_WEB))
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && scripts/embed-text $(EMBED_WEB) > $@

$(OUT)/gen/web-assets.o: $(OUT)/gen/web-assets.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Refresh web/vendor/ from web/node_modules after `cd web && npm ci` (the build
# itself never runs npm: the vendored files are committed).
web-vendor:
	$(Q)test -d web/node_modules/uplot || { echo "run 'cd web && npm ci --ignore-scripts' first" >&2; exit 1; }
	$(Q)cp web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css web/vendor/
	$(Q)cp web/node_modules/uplot/LICENSE web/vendor/uPlot.LICENSE

ifeq ($(BPF),1)
$(OUT)/src/tracer.o: $(SKELS)
$(OUT)/%.bpf.o: src/bpf/%.bpf.c $(wildcard src/bpf/*.h)
	$(call msg,BPF,$<)
	$(Q)mkdir -p $(@D) && $(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) \
		-Isrc/bpf -Isrc/bpf/vmlinux/$(ARCH) -c $< -o $@ && $(LLVM_STRIP) -g $@
$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)command -v $(BPFTOOL) >/dev/null || { echo "bpftool not found: run 'make deps' (Debian package bpftool), or build with BPF=0" >&2; exit 1; }
	$(Q)$(BPFTOOL) gen skeleton $< > $@
endif

vmlinux:
	$(Q)mkdir -p src/bpf/vmlinux/$(ARCH) && \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > src/bpf/vmlinux/$(ARCH)/vmlinux.h

$(OUT)/tests/%: tests/unit/%.c $(LIB)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) \
		-Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(OUT)/helpers/%: tests/helpers/%.c
	$(call msg,HELPER,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS)

# One libFuzzer harness per untrusted input (tests/fuzz/README.md).
$(OUT)/fuzz/%: tests/fuzz/%.c $(LIB)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(ALL_LDFLAGS) \
		-o $@ $< $(LIB) $(LIBS)

fuzz-bins: $(FUZZ_BINS)

# `make fuzz` builds every harness with clang and runs each for FUZZ_SECONDS.
fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ_OUT)/fuzz

$(OUT)/bench/%: bench/%.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS) -lpthread

# record-day runs the recorder itself: it links the library.
$(OUT)/bench/record-day: bench/record-day.c $(LIB)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS) -lpthread

# `make check` = test-deps + build + unit + integration; the runner prints the summary line.
check: test-deps
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)TW_OUT=$(OUT) tests/run

check-unit: test-bins
	$(Q)TW_OUT=$(OUT) tests/run unit

check-integration: test-bins
	$(Q)TW_OUT=$(OUT) tests/run integration

.PHONY: test-bins
test-bins: $(BIN) $(UNIT_BINS) $(HELPER_BINS)

bench: $(BIN) $(BENCH_BINS) $(HELPER_BINS)
	$(Q)bench/run

# deps: what building and running need; test-deps adds the test suite's tools
# (Prometheus, nginx, wrk, ...; their services are left disabled), fuzz-deps
# clang's fuzzer runtime. scripts/install-deps says what it installs.
deps:
	$(Q)scripts/install-deps build

test-deps:
	$(Q)scripts/install-deps build test

fuzz-deps:
	$(Q)scripts/install-deps build fuzz

# PREFIX (default /usr/local) and DESTDIR as usual; the unit's ExecStart
# follows BINDIR. Nothing is enabled or started.
install: $(BIN) $(COMPLETION)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/twscope
	install -D -m 0644 doc/twscope.1 $(DESTDIR)$(MANDIR)/man1/twscope.1
	install -D -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/twscope
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|^ExecStart=/usr/local/bin/twscope |ExecStart=$(BINDIR)/twscope |' \
		deploy/systemd/twscope.service > $(DESTDIR)$(UNITDIR)/twscope.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/twscope.service
	sed 's|^ExecStart=/usr/local/bin/twscope |ExecStart=$(BINDIR)/twscope |' \
		deploy/systemd/twscope-record.service > $(DESTDIR)$(UNITDIR)/twscope-record.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/twscope-record.service
	install -d $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 README.md BENCHMARKS.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/docs/
	install -m 0644 deploy/prometheus/alerts.yml deploy/grafana/twscope.json $(DESTDIR)$(DOCDIR)/examples/

# The Debian package (debian/), built in a scratch copy: `make deb` leaves the
# .deb in $(OUT)/deb; `make check-deb` also runs lintian and checks its contents.
deb:
	$(Q)scripts/check-deb --build-only $(OUT)/deb

check-deb:
	$(Q)scripts/check-deb $(OUT)/deb

# check-user: a clean copy built and `twscope doctor` run as an ordinary user
# with Debian's user PATH (tests/integration/t0100). check-fresh: the README's
# commands on a debootstrap of Debian 12, as root and as a sudo user (slow).
check-user: test-bins
	$(Q)TW_OUT=$(OUT) tests/run integration t0100

check-fresh:
	$(Q)scripts/check-fresh $(FRESH_ARGS)

# check-kernels: a subset of the integration tests on Debian 12's own kernels
# (generic, cloud) under qemu TCG and the running one (booted when its image
# is readable, else natively),
# and docs/kernels.md's table rewritten from the run (docs/kernels.md).
# KERNELS="generic" narrows the matrix, TW_KERNEL_TESTS the subset;
# KERNELS_DOC= leaves the table alone (CI).
KERNELS_DOC ?= docs/kernels.md
check-kernels: test-bins
	$(Q)scripts/install-deps build test kernels
	$(Q)TW_OUT=$(OUT) scripts/check-kernels $(if $(KERNELS_DOC),--doc $(KERNELS_DOC)) $(KERNELS)

# Removes every build folder it may. Root's build in a user's clone
# (.output-root*) stays when an ordinary user cleans, with a note.
clean:
	$(Q)me=$$(id -u); for d in .output .output-san .output-fuzz .output-root .output-root-san \
		.output-root-fuzz twscope; do \
		[ -e "$$d" ] || continue; \
		if [ "$$me" -ne 0 ] && [ -n "$$(find "$$d" ! -user "$$me" -print -quit 2>/dev/null)" ]; then \
			echo "make clean: leaving '$$d': it holds files of another user (root's, from 'sudo make check'); 'sudo make clean' removes it"; \
		else \
			echo "  RM       $$d"; rm -rf "$$d" || exit 1; \
		fi; \
	done

help:
	@echo 'targets: all deps test-deps fuzz-deps check check-unit check-integration check-user'
	@echo '         check-deb check-fresh check-kernels deb bench fuzz install completion web-vendor clean vmlinux'
	@echo 'vars:    BPF=0 SANITIZE=1 DEVELOPER=0 V=1 FUZZ_SECONDS=60 PREFIX=/usr/local DESTDIR='

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BINS:=.d)
