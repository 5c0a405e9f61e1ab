# tcplife-http: eBPF tracer of TCP lives on loopback, and its bundled HTTP server.
#
# make            build ./tcplife-http and ./tcplife-httpd
# make run        install missing packages, build, run the server and the tracer on its port
# make browse     the walkthrough's browsing, headless Chromium then curl, against make run's server
# make test       install missing packages, build, run every test (needs root for the live ones)
# make test-tree, test-unit, test-fuzz, test-asan, test-httpd, test-install, test-live: one suite
# make bench      tracer overhead benchmark; make bench-httpd: server against nginx
# make install    PREFIX=/usr/local, DESTDIR honoured; make uninstall removes it
# V=1             show the commands

OUTPUT    := .output
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
LLVM_STRIP ?= llvm-strip
ARCH      := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/; s/ppc64le/powerpc/; s/s390x/s390/')
VMLINUX   := vmlinux/$(ARCH)
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Where make install puts things. The server's default docroot is compiled
# from DATADIR, so an installed tcplife-httpd serves the installed page.
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
DATADIR   ?= $(PREFIX)/share/tcplife-http
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL   ?= install

CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP \
             -DTL_VERSION='"$(VERSION)"' -I$(OUTPUT) -Ibpf -Iuser
LDLIBS_COMMON := -lseccomp
LDLIBS_TRACER := -lbpf -lelf -lz -lpcap -ljansson $(LDLIBS_COMMON)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX) -Ibpf \
              -Wall -Werror -mcpu=v3

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The tracer: every user/tracer module; main.c is left out of the library so
# unit tests and fuzz targets link the same code the binary runs.
TRACER_MAIN := user/tracer/main.c
TRACER_SRCS := $(filter-out $(TRACER_MAIN),$(wildcard user/tracer/*.c user/tracer/*/*.c))
TRACER_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(TRACER_SRCS))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# What both programs share: giving up root, the seccomp filter.
COMMON_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(wildcard user/common/*.c))

# The server: user/httpd, apart from the tracer's modules.
HTTPD_MAIN  := user/httpd/main.c
HTTPD_SRCS  := $(filter-out $(HTTPD_MAIN),$(wildcard user/httpd/*.c user/httpd/*/*.c))
HTTPD_OBJS  := $(patsubst user/%.c,$(OUTPUT)/%.o,$(HTTPD_SRCS))

.PHONY: all clean deps run browse test test-unit test-live test-httpd test-fuzz test-asan \
        bench bench-httpd bench-report install uninstall test-install test-tree FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: tcplife-http tcplife-httpd

$(OUTPUT) $(OUTPUT)/tracer $(OUTPUT)/httpd $(OUTPUT)/common $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# DWARF is stripped (BTF stays): the skeleton embeds this object, and with
# it the binary.
$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/*.h $(VMLINUX)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/tracer/%.o: user/tracer/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Only the loader includes the skeleton; -MMD records it after the first build.
$(OUTPUT)/tracer/kernel/loader.o: $(BPF_SKELS)

$(OUTPUT)/httpd/%.o: user/httpd/%.c | $(OUTPUT)/httpd
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The docroot default: main.o is rebuilt when DATADIR changes.
$(OUTPUT)/datadir: FORCE | $(OUTPUT)
	$(Q)echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(OUTPUT)/httpd/main.o: $(OUTPUT)/datadir
$(OUTPUT)/httpd/main.o: CFLAGS += -DTL_DATADIR='"$(DATADIR)"'
# grade finds the installed golden shapes there too.
$(OUTPUT)/tracer/grade/grade_cmd.o: $(OUTPUT)/datadir
$(OUTPUT)/tracer/grade/grade_cmd.o: CFLAGS += -DTL_DATADIR='"$(DATADIR)"'

$(OUTPUT)/common/%.o: user/common/%.c | $(OUTPUT)/common
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Rebuilt from nothing: "ar r" would keep the member of a file since
# renamed or removed, and the linker could take its stale symbols.
$(OUTPUT)/libtracer.a: $(TRACER_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUTPUT)/libhttpd.a: $(HTTPD_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUTPUT)/libcommon.a: $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

tcplife-http: $(OUTPUT)/tracer/main.o $(OUTPUT)/libtracer.a $(OUTPUT)/libcommon.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS_TRACER) -o $@

tcplife-httpd: $(OUTPUT)/httpd/main.o $(OUTPUT)/libhttpd.a $(OUTPUT)/libcommon.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS_COMMON) -o $@

# Unit tests: one binary per tests/unit/test_*.c, linked with both libraries.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))

TEST_LIBS := $(OUTPUT)/libtracer.a $(OUTPUT)/libhttpd.a $(OUTPUT)/libcommon.a

$(OUTPUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(TEST_LIBS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit $< $(TEST_LIBS) $(LDLIBS_TRACER) -o $@

deps:
	$(Q)scripts/deps.sh build

run:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-lab.sh

browse:
	$(Q)scripts/deps.sh browse
	$(Q)scripts/browse.sh

test:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS)
	$(Q)tests/run.sh

test-unit: all $(UNIT_BINS)
	$(Q)tests/run.sh unit

test-live: all
	$(Q)tests/run.sh live

test-httpd: all
	$(Q)tests/run.sh httpd

# The layout's rules, the formatting and the JSON contract, read from the
# sources (and from a run of the tracer on a capture file).
test-tree: all
	$(Q)tests/run.sh tree

# It builds and installs a copy of the tree, so needs no build here.
test-install:
	$(Q)tests/run.sh install

# Both build what they run themselves: fuzz targets with clang's libFuzzer
# into .output/fuzz, the unit tests with sanitizers into .output-asan.
test-fuzz:
	$(Q)tests/run.sh fuzz

test-asan:
	$(Q)tests/run.sh asan

bench: all
	$(Q)scripts/deps.sh bench
	$(Q)tests/bench/tracer.sh

bench-httpd: all
	$(Q)scripts/deps.sh bench
	$(Q)tests/bench/httpd.sh

# tcplife-http needs root (CAP_BPF, CAP_NET_ADMIN): sbin, as tcpdump and
# libbpf-tools. tcplife-httpd is a user's program (a high port, a page of
# one's own, no privilege): bin. The page's sources (README.md,
# make-media.sh) stay out of the docroot.
WWW_FILES := $(filter-out www/README.md www/make-media.sh,$(wildcard www/*))
# The golden shapes `tcplife-http grade` reads, one per lab scenario.
SCENARIO_FILES := $(wildcard scenarios/*.json)
INSTALLED := $(SBINDIR)/tcplife-http $(BINDIR)/tcplife-httpd \
             $(MANDIR)/man8/tcplife-http.8 $(MANDIR)/man1/tcplife-httpd.1 \
             $(BASHCOMPDIR)/tcplife-http $(BASHCOMPDIR)/tcplife-httpd \
             $(patsubst www/%,$(DATADIR)/www/%,$(WWW_FILES)) \
             $(patsubst %,$(DATADIR)/%,$(SCENARIO_FILES))

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/www \
		$(DESTDIR)$(DATADIR)/scenarios \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	$(Q)$(INSTALL) -m 0755 tcplife-http $(DESTDIR)$(SBINDIR)/
	$(Q)$(INSTALL) -m 0755 tcplife-httpd $(DESTDIR)$(BINDIR)/
	$(Q)$(INSTALL) -m 0644 $(WWW_FILES) $(DESTDIR)$(DATADIR)/www/
	$(Q)$(INSTALL) -m 0644 $(SCENARIO_FILES) $(DESTDIR)$(DATADIR)/scenarios/
	$(Q)$(INSTALL) -m 0644 man/tcplife-http.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(INSTALL) -m 0644 man/tcplife-httpd.1 $(DESTDIR)$(MANDIR)/man1/
	$(Q)$(INSTALL) -m 0644 completion/tcplife-http completion/tcplife-httpd \
		$(DESTDIR)$(BASHCOMPDIR)/

# Exactly the files install wrote, then the two folders that are ours alone.
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DATADIR)/www $(DESTDIR)$(DATADIR)/scenarios \
		$(DESTDIR)$(DATADIR) \
		2>/dev/null || true

# The size of a 10,000-connection ladder report and its load time in Chromium.
bench-report: all
	$(Q)scripts/deps.sh test
	$(Q)tests/bench/report.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) tcplife-http tcplife-httpd

-include $(wildcard $(OUTPUT)/*/*.d $(OUTPUT)/*/*/*.d)
