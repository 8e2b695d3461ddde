# spiketrace — plain GNU Makefile. `make run` and `make test` install what is missing first.
VERSION   := $(shell cat VERSION)
CC        ?= gcc
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR   ?= /etc/systemd/system
DESTDIR   ?=
BUILD     ?= build

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes
CPPFLAGS  += -D_GNU_SOURCE -Isrc -DSPIKETRACE_VERSION='"$(VERSION)"'
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARN) -fno-omit-frame-pointer -MMD -MP
PKGS      := jansson ncursesw libdw libelf libbpf
CPPFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += -lm -pthread $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# eBPF programs (src/bpf/NAME.bpf.c, CO-RE against this build host's BTF) are compiled by clang
# and embedded as libbpf skeletons (build/bpf/NAME.skel.h) that the loaders in src/sys include.
BPF_SRC   := $(sort $(wildcard src/bpf/*.bpf.c))
BPF_SKEL  := $(BPF_SRC:src/bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
# light skeletons (NAME.lskel.h): a loader program relocates in the kernel, no BTF parsed here
BPF_SKEL  += $(BPF_SRC:src/bpf/%.bpf.c=$(BUILD)/bpf/%.lskel.h)
BTF       ?= /sys/kernel/btf/vmlinux
CPPFLAGS  += -I$(BUILD)/bpf

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# LIB: everything below the commands (what unit tests link); CMD: the command layer + main.
LIB_SRC   := $(sort $(wildcard src/base/*.c src/sys/*.c src/capture/*.c src/trace/*.c src/profile/*.c src/ui/*.c))
CMD_SRC   := $(sort $(wildcard src/cmd/*.c)) src/main.c
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests-san/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 10

.PHONY: all deps run test unit check fuzz fuzz-build bench install uninstall clean format
# keep the sanitizer objects between runs (they are intermediates of the pattern rules)
.SECONDARY:
all: $(BUILD)/spiketrace

deps:
	@scripts/install-deps

$(BUILD)/spiketrace: $(CMD_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(BTF) || { echo "make: $(BTF) is missing: the kernel has no BTF to build the eBPF programs against (set BTF=FILE)" >&2; exit 1; }
	bpftool btf dump file $(BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h
	clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -I$(BUILD)/bpf -Isrc -c -o $@ $<

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	bpftool gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.lskel.h: $(BUILD)/bpf/%.bpf.o
	bpftool gen skeleton -L $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

$(BUILD)/tests-san/%: tests/unit/%.c tests/unit/tap.h $(SAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit -std=gnu11 $(WARN) $(SAN_FLAGS) -o $@ $< $(SAN_OBJ) $(LDLIBS)

# libFuzzer targets: clang only. The library is compiled once with the fuzzer's coverage
# instrumentation (fuzzer-no-link) and every target links those objects.
FUZZ_OBJ  := $(LIB_SRC:%.c=$(BUILD)/fuzzobj/%.o)
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -MMD -MP

# every C object may include a skeleton: build them first
$(LIB_OBJ) $(CMD_OBJ) $(SAN_OBJ) $(FUZZ_OBJ): | $(BPF_SKEL)
$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# programs that make known syscalls, for the tracer's tests against strace
WORK_SRC  := $(sort $(wildcard tests/workloads/*.c))
WORK_BIN  := $(WORK_SRC:tests/workloads/%.c=$(BUILD)/workloads/%)
$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -pthread -o $@ $<

unit: $(UNIT_BIN) $(UNIT_SAN) $(WORK_BIN)

fuzz-build: $(FUZZ_BIN)

# Run every fuzz target for FUZZ_SECONDS from its seed corpus (tests/fuzz/corpus/NAME).
fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n \
	    2>$(BUILD)/fuzz/$$n.log || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; done

# Everything a contributor or CI needs: deps, build, unit (plain + ASan/UBSan), fuzz smoke, integration.
test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all unit fuzz-build
	@BUILD=$(BUILD) tests/run

check: all unit fuzz-build
	@BUILD=$(BUILD) tests/run

run: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all
	@mkdir -p spiketrace-data
	exec $(BUILD)/spiketrace daemon --output-dir ./spiketrace-data --interval 1

bench: deps
	@$(MAKE) --no-print-directory all
	@for b in bench/*/run; do echo "== $$b"; $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/spiketrace $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/spiketrace $(DESTDIR)$(BINDIR)/spiketrace
	ln -sf spiketrace $(DESTDIR)$(BINDIR)/spiketrace-view
	ln -sf spiketrace $(DESTDIR)$(BINDIR)/spiketrace-view-cli
	install -m 0644 examples/config.toml $(DESTDIR)$(SYSCONFDIR)/spiketrace/config.toml.example
	sed 's|@BINDIR@|$(BINDIR)|g' dist/spiketrace.service > $(DESTDIR)$(UNITDIR)/spiketrace.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/spiketrace.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/spiketrace $(DESTDIR)$(BINDIR)/spiketrace-view \
	      $(DESTDIR)$(BINDIR)/spiketrace-view-cli $(DESTDIR)$(UNITDIR)/spiketrace.service \
	      $(DESTDIR)$(SYSCONFDIR)/spiketrace/config.toml.example

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
