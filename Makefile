# SPDX-License-Identifier: GPL-2.0
# xdpguard: `make` builds every tool into build/, `make test` runs every
# test layer (needs root), `make fuzz` the long fuzzer run, `make
# check-fresh` the build on a bare Debian 12, `make check-deb` the .deb, `make test-kernels` the packet
# tests and a smoke test on Debian's kernels under qemu, `make install
# PREFIX=... DESTDIR=...`.

.DELETE_ON_ERROR:
# Keep objects between runs: they are intermediates of the tool links.
.SECONDARY:

V ?= 0
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
BATS ?= bats
PKG_CONFIG ?= pkg-config

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# bash-completion loads completions/<command> on first use: one file,
# installed as xg-load, with a symlink to it for every other tool.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
COMPLETION := contrib/bash-completion/xdpguard
COMP_TOOLS = $(TOOLS)

BUILD := build
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# -target bpf does not search the multiarch directory that holds asm/.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
	  -Icommon -I$(BUILD) $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz

# -mcpu=v3: 32-bit atomics and jumps (kernel 5.1+); clang 14's default v1
# cannot compile an atomic or on a 32-bit word, and v3 code is shorter.
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	      -Wno-unused-parameter -Icommon -Ibpf \
	      $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH))

TOOLS := xg-load xg-unload xg-block xg-allow xg-stats xg-threshold xg-events xg-rule xg-features xg-save xg-restore
TOOL_BINS := $(addprefix $(BUILD)/,$(TOOLS))

LIB_SRCS := $(wildcard common/*.c)
LIB_OBJS := $(patsubst common/%.c,$(BUILD)/common/%.o,$(LIB_SRCS))
BPF_SRCS := bpf/xdpguard.bpf.c
BPF_HDRS := $(wildcard bpf/*.h) common/xg_abi.h
# Two objects of one source: as is, and without the atomics that kernels
# before 5.12 refuse (bpf/kernel.h); xg-load picks one (common/xg_skel.h).
SKEL := $(BUILD)/xdpguard.skel.h $(BUILD)/xdpguard_compat.skel.h
# The packet fuzzer links the packet tests' loader and frame builder;
# its objects live apart from the binary build/tests/fuzz.
FUZZ_BIN := $(BUILD)/tests/fuzz
FUZZ_OBJS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%.o,$(wildcard tests/fuzz/*.c))
FUZZ_SEED ?= 1
FUZZ_FRAMES ?= 1000000
TEST_BINS := $(BUILD)/tests/test_xdp $(FUZZ_BIN)

MAN8 := $(wildcard man/*.8)
MAN7 := $(wildcard man/*.7)
# The units name the tools in /usr/sbin; install points them at BINDIR.
UNITS := $(wildcard contrib/systemd/*.service contrib/systemd/*.timer)

.PHONY: all tools clean test test-bpf test-cli test-e2e test-man check-fresh check-deb \
	test-kernels install uninstall demo format format-check bench fuzz

# Traffic generator for benchmarks and flood tests (not installed): an XDP
# program run through BPF_PROG_TEST_RUN with live frames.
GEN_BIN := $(if $(wildcard bench/gen.bpf.c),$(BUILD)/xg-gen)
# xdpguard's cost per packet through BPF_PROG_TEST_RUN (not installed), on
# the packet tests' loader and frame builder.
BENCH_XDP := $(BUILD)/bench-xdp

all: $(TOOL_BINS) $(TEST_BINS) $(GEN_BIN) $(BENCH_XDP)

# Only what make install installs (debian/rules builds this).
tools: $(TOOL_BINS)

$(BUILD) $(BUILD)/common $(BUILD)/cmd $(BUILD)/tests:
	$(Q)mkdir -p $@

$(BUILD)/xdpguard.bpf.o: $(BPF_SRCS) $(BPF_HDRS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xdpguard_compat.bpf.o: $(BPF_SRCS) $(BPF_HDRS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DXG_NO_ATOMICS -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

$(BUILD)/common/%.o: common/%.c common/xg.h common/xg_abi.h | $(BUILD)/common
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Only xg-load and the packet tests embed the BPF object (skeleton), so no
# other tool can create maps by accident.
$(BUILD)/cmd/xg-load.o: $(SKEL)

$(BUILD)/cmd/%.o: cmd/%.c common/xg.h common/xg_abi.h | $(BUILD)/cmd
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/xg-%: $(BUILD)/cmd/xg-%.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%.o: tests/bpf/%.c $(SKEL) common/xg.h common/xg_abi.h \
		    $(wildcard tests/bpf/*.h) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf -c $< -o $@

# kfeat.o: the kernel probe that xg-load runs; it needs libbpf only.
$(BUILD)/tests/test_xdp: $(BUILD)/tests/test_xdp.o $(BUILD)/common/kfeat.o \
			 $(BUILD)/common/rule.o \
			 $(patsubst tests/bpf/%.c,$(BUILD)/tests/%.o,$(filter-out tests/bpf/test_xdp.c,$(wildcard tests/bpf/*.c)))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/fuzz/%.o: tests/fuzz/%.c common/xg_abi.h $(wildcard tests/fuzz/*.h) \
		   tests/bpf/harness.h tests/bpf/pkt.h
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf -Itests/fuzz -c $< -o $@

$(FUZZ_BIN): $(FUZZ_OBJS) $(BUILD)/tests/harness.o $(BUILD)/tests/pkt.o \
	     $(BUILD)/common/kfeat.o $(BUILD)/common/rule.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/gen.bpf.o: bench/gen.bpf.c $(wildcard bench/*.h) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@

$(BUILD)/gen.skel.h: $(BUILD)/gen.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gen > $@

$(BUILD)/bench/%.o: bench/%.c $(BUILD)/gen.skel.h $(wildcard bench/*.h) common/xg.h
	$(Q)mkdir -p $(BUILD)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Ibench -c $< -o $@

$(GEN_BIN): $(patsubst bench/%.c,$(BUILD)/bench/%.o,$(filter-out bench/%.bpf.c bench/bench-xdp.c,$(wildcard bench/*.c)))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bench/bench-xdp.o: bench/bench-xdp.c common/xg_abi.h \
			    $(wildcard tests/bpf/*.h)
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf -c $< -o $@

$(BENCH_XDP): $(BUILD)/bench/bench-xdp.o $(BUILD)/tests/harness.o \
	      $(BUILD)/tests/pkt.o $(BUILD)/common/kfeat.o $(BUILD)/common/rule.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# ---- tests: packet level, command grammar, man pages, end to end ------------

test: all
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) bash tests/run.sh

test-bpf: $(TEST_BINS)
	$(Q)$(BUILD)/tests/test_xdp

# The long fuzzer run (root): FUZZ_FRAMES frames per configuration, a fixed
# seed; `make test` runs a short one.
fuzz: $(FUZZ_BIN)
	$(Q)$(FUZZ_BIN) --seed $(FUZZ_SEED) --frames $(FUZZ_FRAMES)

test-cli: $(TOOL_BINS)
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) $(BATS) tests/cli

test-e2e: $(TOOL_BINS)
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) $(BATS) tests/e2e

test-man: $(TOOL_BINS)
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) $(BATS) tests/man.bats

# The README's install line is enough: in a bare Debian 12 chroot, install
# exactly that line's packages, then make, make install and the packet tests.
check-fresh:
	$(Q)bash tests/fresh/run.sh

# The Debian package: built with dpkg-buildpackage in a bare Debian 12
# chroot, checked with lintian, installed with apt in a second bare chroot.
check-deb:
	$(Q)bash tests/fresh/run.sh --deb

# Debian's stock 5.10, 6.1 and 6.12 kernels under qemu: test_xdp and a
# command smoke test in each (tests/kernels/run.sh). XG_BUILD=DIR tests
# another build tree, KERNELS="6.1" a selection.
XG_BUILD ?= $(CURDIR)/$(BUILD)
KERNELS ?= 5.10 6.1 6.12

test-kernels: all
	$(Q)XG_BUILD=$(XG_BUILD) KERNELS="$(KERNELS)" bash tests/kernels/run.sh

demo: $(TOOL_BINS)
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) bash scripts/demo.sh

bench: all
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) bash bench/run.sh
	$(Q)XG_BUILD=$(CURDIR)/$(BUILD) bash bench/features.sh
	@echo
	@echo "BPF_PROG_TEST_RUN, one path at a time (bench/bench-xdp.c):"
	$(Q)$(BUILD)/bench-xdp

# ---- install ---------------------------------------------------------------

install: $(TOOL_BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(UNITS); do \
		sed 's|/usr/sbin/|$(BINDIR)/|g' $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; \
	done
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/xg-load
	for t in $(filter-out xg-load,$(COMP_TOOLS)); do \
		ln -sf xg-load $(DESTDIR)$(BASHCOMPDIR)/$$t; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(COMP_TOOLS))

# ---- style -----------------------------------------------------------------

FORMAT_SRCS := $(wildcard bpf/*.c bpf/*.h cmd/*.c common/*.c common/*.h tests/bpf/*.c tests/bpf/*.h tests/fuzz/*.c tests/fuzz/*.h bench/*.c bench/*.h)

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)
