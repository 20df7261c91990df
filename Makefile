# migpack: the bundler (bin/migpack) and the runner (bin/migrun) over one
# static core library (lib/).  `make`, `make test`, `make run`, `make bench`,
# `make install PREFIX=... DESTDIR=...`; `make SANITIZE=1 test` under ASan
# and UBSan.

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
# migrun's trusted keys: SYSCONFDIR/migpack/trusted-keys/*.pub.
SYSCONFDIR ?= /etc
PKG_CONFIG ?= pkg-config
CC ?= cc

CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wwrite-strings -Wvla \
	-Wmissing-prototypes -Wstrict-prototypes -fno-common
CPPFLAGS += -D_GNU_SOURCE -DMIGPACK_VERSION='"$(VERSION)"' \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -Ilib

ifeq ($(SANITIZE),1)
BUILD ?= build-sanitize
BIN ?= build-sanitize/bin
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
BUILD ?= build
BIN ?= bin

# Dependencies through pkg-config, with a clear message when one is missing
# (scripts/deps.sh build installs them on Debian).  Each is asked for once,
# when first needed: `make run` and `make test` install what is missing
# before anything asks.
pkg = $(or $(shell $(PKG_CONFIG) --$(1) $(2) 2>/dev/null),$(if $(shell \
	$(PKG_CONFIG) --exists $(2) && echo y),,$(error missing $(2): install \
	its -dev package (scripts/deps.sh build))))
once = $(eval $(1) := $(2))$($(1))
CORE_PKGS = libarchive libsodium zlib
RUNNER_PKGS = sqlite3 libpq
CORE_CFLAGS = $(call once,CORE_CFLAGS,$(call pkg,cflags,$(CORE_PKGS)))
CORE_LIBS = $(call once,CORE_LIBS,$(call pkg,libs,$(CORE_PKGS)))
# migrun links libarchive statically when its archive is installed
# (libarchive-dev has it): reading tar.gz takes only its tar and gzip code,
# which needs zlib alone, not the shared library's libxml2, ICU, C++ runtime
# and compressors, whose loading was half of migrun's start-up; a database
# host needs none of them.  (Its writer pulls in every format, so migpack
# keeps the shared library.)  `make ARCHIVE_A=` gives migrun the shared
# library too.
ARCHIVE_A ?= $(call once,ARCHIVE_A,$(wildcard $(shell $(PKG_CONFIG) --variable=libdir libarchive)/libarchive.a))
RUN_CORE_LIBS = $(if $(ARCHIVE_A),$(ARCHIVE_A) $(filter-out -larchive,$(CORE_LIBS)),$(CORE_LIBS))
RUNNER_CFLAGS = $(call once,RUNNER_CFLAGS,$(call pkg,cflags,$(RUNNER_PKGS)))
# libpq's headers only: runner/drivers/pq.c loads the library for a PostgreSQL URL.
RUNNER_LIBS = $(call once,RUNNER_LIBS,$(call pkg,libs,sqlite3) -ldl)
# PostgreSQL's parser, for migpack only (libpg-query-dev; its protobuf
# structures need libprotobuf-c-dev's header, the code is in libpg_query).
PGQUERY_LIBS = -lpg_query

ALL_CFLAGS = $(CPPFLAGS) $(WARNINGS) -pthread $(CFLAGS) $(CORE_CFLAGS)
LINK = $(CC) -pthread $(CFLAGS) $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
BUNDLER_SRC = $(wildcard bundler/*.c)
RUNNER_SRC = $(wildcard runner/*.c runner/*/*.c)
# migrun's rooms: commands/ over engine/ over drivers/.  -iquote, not -I:
# drivers/spawn.h must not stand in for the system's <spawn.h>.
RUNNER_INC = -iquote runner/engine -iquote runner/drivers
UNIT_SRC = $(wildcard tests/unit/test-*.c)
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
TOOL_SRC = $(wildcard tests/tools/*.c)
INTEGRATION = $(wildcard tests/integration/t*.sh)

LIB = $(BUILD)/libmigpack.a
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
REPLAY_BIN = $(patsubst %,$(BUILD)/tools/fuzz-replay-%,$(FUZZ_NAMES))

.SECONDARY:
.PHONY: all test test-run test-kill fuzz fuzz-targets unit integration run \
	run-example bench screenshot deb \
	install uninstall clean
all: $(BIN)/migpack $(BIN)/migrun

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/runner/%.o: ALL_CFLAGS += $(RUNNER_INC) $(RUNNER_CFLAGS)
$(BUILD)/bundler/%.o: ALL_CFLAGS += -Ibundler
$(BUILD)/tests/unit/%.o: ALL_CFLAGS += -Ibundler $(RUNNER_INC) $(RUNNER_CFLAGS)
$(BUILD)/tests/fuzz/%.o: ALL_CFLAGS += $(RUNNER_INC) $(RUNNER_CFLAGS)

$(LIB): $(call obj,$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/migpack: $(call obj,$(BUNDLER_SRC)) $(LIB)
	@mkdir -p $(BIN)
	$(LINK) -o $@ $^ $(PGQUERY_LIBS) $(CORE_LIBS)

$(BIN)/migrun: $(call obj,$(RUNNER_SRC)) $(LIB)
	@mkdir -p $(BIN)
	$(LINK) -o $@ $^ $(RUNNER_LIBS) $(RUN_CORE_LIBS)

# Unit tests link the core and each program's modules (not their mains) as
# archives, so a test pulls in only what it uses.
BUNDLER_AR = $(BUILD)/libbundler.a
RUNNER_AR = $(BUILD)/librunner.a
$(BUNDLER_AR): $(call obj,$(filter-out bundler/main.c,$(BUNDLER_SRC)))
$(RUNNER_AR): $(call obj,$(filter-out runner/main.c,$(RUNNER_SRC)))
$(BUNDLER_AR) $(RUNNER_AR):
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUNDLER_AR) $(RUNNER_AR) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(call pkg,libs,cmocka) $(PGQUERY_LIBS) $(RUNNER_LIBS) \
		$(CORE_LIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(CORE_LIBS)

# Each fuzz target with a main that runs it on files (replay.c): make test
# replays the corpus and every crash found so far, without libFuzzer.
$(BUILD)/tools/fuzz-replay-%: $(BUILD)/tests/fuzz/fuzz-%.o \
    $(BUILD)/tests/fuzz/replay.o $(RUNNER_AR) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(RUNNER_LIBS) $(CORE_LIBS)

# libFuzzer: every target built with clang under ASan and UBSan
# (build-fuzz/), then run FUZZ_SECONDS each on a scratch copy of its
# corpus (tests/fuzz/run.sh); a crash is kept for tests/fuzz/regress/.
FUZZ_SECONDS ?= 30
ifeq ($(FUZZ),1)
CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
$(BUILD)/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(RUNNER_AR) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK) -fsanitize=fuzzer -o $@ $^ $(RUNNER_LIBS) $(CORE_LIBS)
fuzz-targets: $(patsubst %,$(BUILD)/fuzz/fuzz-%,$(FUZZ_NAMES))
fuzz:
	@$(MAKE) -s CC=clang BUILD=build-fuzz BIN=build-fuzz/bin FUZZ=1 \
		fuzz-targets
	@tests/fuzz/run.sh build-fuzz/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

# What the tests need first (scripts/deps.sh), then the tests.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory test-run

test-run: all $(UNIT_BIN) $(TOOL_BIN) $(REPLAY_BIN)
	@BIN=$(abspath $(BIN)) TOOLS=$(abspath $(BUILD)/tools) \
		tests/run.sh $(UNIT_BIN) $(INTEGRATION)

# The tests that kill the programs part way, at many more points than
# `make test` does: KILL_POINTS (default 500) for apply, half as many for
# the other commands.
KILL_POINTS ?= 500
test-kill: all $(TOOL_BIN)
	@rm -f $(BUILD)/kill.log
	@KILL_POINTS=$(KILL_POINTS) KILL_LOG=$(abspath $(BUILD)/kill.log) \
		BIN=$(abspath $(BIN)) TOOLS=$(abspath $(BUILD)/tools) \
		tests/run.sh $(wildcard tests/integration/t*-killed.sh); \
		ret=$$?; cat $(BUILD)/kill.log; exit $$ret

# The example application: bundled (and linted: the summary), then applied to the embedded SQLite
# database (migpack.db, the runner's default; ignored by git, as are the
# backups apply takes in backups/), and its default seed profile loaded.
run:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory run-example

run-example: all
	$(BIN)/migpack build -o bundles/example-app.tar.gz --name example-app \
		migrations
	$(BIN)/migpack lint bundles/example-app.tar.gz
	$(BIN)/migpack list bundles/example-app.tar.gz
	$(BIN)/migrun apply --db sqlite:migpack.db bundles/example-app.tar.gz
	$(BIN)/migrun seed --db sqlite:migpack.db --profile default \
		bundles/example-app.tar.gz
	$(BIN)/migrun status --db sqlite:migpack.db bundles/example-app.tar.gz
	@echo
	@echo "the bundle:    bundles/example-app.tar.gz"
	@echo "the database:  migpack.db (SQLite)"
	@b=$$(ls -t backups/migpack-*.db.gz 2>/dev/null | head -n1); \
		echo "the backup:    $${b:-none yet (nothing was there to back up)} (the newest in backups/)"

# The example app's review page, the picture README shows.
screenshot: all
	mkdir -p docs
	$(BIN)/migpack build -o $(BUILD)/example-app.tar.gz --name example-app \
		migrations >/dev/null
	$(BIN)/migrun review --dialect postgres --from 0007 \
		-o $(BUILD)/review.html $(BUILD)/example-app.tar.gz
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1100,1500 --screenshot=$(CURDIR)/docs/review.png \
		file://$(CURDIR)/$(BUILD)/review.html 2>/dev/null

bench: all
	bench/bundle.sh --migpack $(BIN)/migpack
	bench/apply.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/sql.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/seed.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/backup.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/check.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/locks.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/sign.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/review.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack
	bench/fleet.sh --migrun $(BIN)/migrun --migpack $(BIN)/migpack

# A Debian package of the two programs, their man pages and completion,
# for carrying across an air gap (scripts/deb.sh; needs dpkg-dev).
deb: all
	@scripts/deb.sh $(abspath $(BIN)) $(VERSION) $(CURDIR)

# Completion scripts go where bash-completion and Debian's zsh look.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/vendor-completions
MANDIR = $(PREFIX)/share/man
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BIN)/migpack $(BIN)/migrun $(DESTDIR)$(BINDIR)/
	install -m 644 man/migpack.1 man/migrun.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/migpack-bundle.5 $(DESTDIR)$(MANDIR)/man5/
	for p in migpack migrun; do \
		$(BIN)/$$p completion bash >$(DESTDIR)$(BASHCOMPDIR)/$$p && \
		$(BIN)/$$p completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_$$p || \
		exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/migpack $(DESTDIR)$(BINDIR)/migrun \
		$(DESTDIR)$(BASHCOMPDIR)/migpack $(DESTDIR)$(BASHCOMPDIR)/migrun \
		$(DESTDIR)$(ZSHCOMPDIR)/_migpack $(DESTDIR)$(ZSHCOMPDIR)/_migrun \
		$(DESTDIR)$(MANDIR)/man1/migpack.1 $(DESTDIR)$(MANDIR)/man1/migrun.1 \
		$(DESTDIR)$(MANDIR)/man5/migpack-bundle.5

clean:
	rm -rf build build-sanitize build-fuzz bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
