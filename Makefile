# tcplife-http: eBPF tracer of TCP lives on loopback, and its bundled HTTP server.
#
# make            build ./tcplife-http and ./tcplife-httpd
# make run        install missing packages, build, run the server and the tracer on its port
# make test       install missing packages, build, run every test (needs root for the live ones)
# make test-unit, test-fuzz, test-asan, test-httpd, test-live: one suite
# make bench      tracer overhead benchmark; make bench-httpd: server against nginx
# V=1             show the commands

OUTPUT    := .output
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
ARCH      := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/; s/ppc64le/powerpc/; s/s390x/s390/')
VMLINUX   := vmlinux/$(ARCH)
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

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
TRACER_SRCS := $(filter-out $(TRACER_MAIN),$(wildcard user/tracer/*.c))
TRACER_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(TRACER_SRCS))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# What both programs share: giving up root, the seccomp filter.
COMMON_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(wildcard user/common/*.c))

# The server: user/httpd, apart from the tracer's modules.
HTTPD_MAIN  := user/httpd/main.c
HTTPD_SRCS  := $(filter-out $(HTTPD_MAIN),$(wildcard user/httpd/*.c))
HTTPD_OBJS  := $(patsubst user/%.c,$(OUTPUT)/%.o,$(HTTPD_SRCS))

.PHONY: all clean deps run test test-unit test-live test-httpd test-fuzz test-asan \
        bench bench-httpd bench-report
.DELETE_ON_ERROR:
.SECONDARY:

all: tcplife-http tcplife-httpd

$(OUTPUT) $(OUTPUT)/tracer $(OUTPUT)/httpd $(OUTPUT)/common $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/*.h $(VMLINUX)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/tracer/%.o: user/tracer/%.c $(BPF_SKELS) | $(OUTPUT)/tracer
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/httpd/%.o: user/httpd/%.c | $(OUTPUT)/httpd
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/common/%.o: user/common/%.c | $(OUTPUT)/common
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libtracer.a: $(TRACER_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/libhttpd.a: $(HTTPD_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/libcommon.a: $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

tcplife-http: $(OUTPUT)/tracer/main.o $(OUTPUT)/libtracer.a $(OUTPUT)/libcommon.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS_TRACER) -o $@

tcplife-httpd: $(OUTPUT)/httpd/main.o $(OUTPUT)/libhttpd.a $(OUTPUT)/libcommon.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS_COMMON) -o $@

# Unit tests: one binary per tests/unit/test_*.c, linked with both libraries.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))

TEST_LIBS := $(OUTPUT)/libtracer.a $(OUTPUT)/libhttpd.a $(OUTPUT)/libcommon.a

$(OUTPUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(TEST_LIBS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(TEST_LIBS) $(LDLIBS_TRACER) -o $@

deps:
	$(Q)scripts/deps.sh build

run:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-lab.sh

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

# The size of a 10,000-connection ladder report and its load time in Chromium.
bench-report: all
	$(Q)scripts/deps.sh test
	$(Q)tests/bench/report.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) tcplife-http tcplife-httpd

-include $(wildcard $(OUTPUT)/*/*.d)
