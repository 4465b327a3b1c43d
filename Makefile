# pdnslog build.  `make` builds build/pdnslog; `make check` runs every test.
CC      ?= cc
PKG_CONFIG ?= pkg-config
CSTD    = -std=c11 -D_GNU_SOURCE
WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
OPT     ?= -O2 -g
PCAP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libpcap)
PCAP_LIBS   ?= $(shell $(PKG_CONFIG) --libs libpcap)
PROFILER_LIBS ?= $(shell $(PKG_CONFIG) --libs libprofiler)
MHD_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libmicrohttpd)
MHD_LIBS ?= $(shell $(PKG_CONFIG) --libs libmicrohttpd)
SECCOMP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libseccomp)
SECCOMP_LIBS ?= $(shell $(PKG_CONFIG) --libs libseccomp)
KAFKA_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags rdkafka)
KAFKA_LIBS ?= $(shell $(PKG_CONFIG) --libs rdkafka)
# Avro for -kafka_avro: avro-c (Debian's libavro-dev).
AVRO_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags avro-c)
AVRO_LIBS ?= $(shell $(PKG_CONFIG) --libs avro-c)
# -fluentd_socket: msgpack-c (Debian's libmsgpack-dev; its .pc has no cflags).
MSGPACK_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags msgpack)
MSGPACK_LIBS ?= $(shell $(PKG_CONFIG) --libs msgpack)
ZLIB_LIBS ?= $(shell $(PKG_CONFIG) --libs zlib)
# -pdns_db: the passive DNS store (Debian's libsqlite3-dev).
SQLITE_LIBS ?= $(shell $(PKG_CONFIG) --libs sqlite3)
# Compressed captures: xz, zstd, lz4 (pkg-config), bzip2 (no .pc in Debian 12).
DECOMPRESS_LIBS ?= $(shell $(PKG_CONFIG) --libs liblzma libzstd liblz4) -lbz2
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
CFLAGS  += $(CSTD) $(WARN) $(OPT) -pthread -Isrc $(PCAP_CFLAGS) $(MHD_CFLAGS) $(SECCOMP_CFLAGS) $(KAFKA_CFLAGS) $(AVRO_CFLAGS) $(MSGPACK_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS  += $(PCAP_LIBS) $(MHD_LIBS) $(SECCOMP_LIBS) $(KAFKA_LIBS) $(AVRO_LIBS) $(MSGPACK_LIBS) $(ZLIB_LIBS) $(SQLITE_LIBS) $(DECOMPRESS_LIBS) -pthread $(EXTRA_LIBS)

BUILD   = build
# Every folder of src/, and the POSIX side of src/platform/ (platform.h);
# the profiler goes into pdnslog alone (MAIN), not the tests and fuzzers.
SRCS    = $(sort $(filter-out src/platform/posix/profiler.c,$(wildcard src/*/*.c src/platform/posix/*.c)))
OBJS    = $(SRCS:src/%.c=$(BUILD)/obj/%.o)
MAIN    = $(BUILD)/obj/main.o $(BUILD)/obj/platform/posix/profiler.o
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all objs bench bench-store check check-asan check-tsan check-windows fuzz fuzz-build fuzz-regressions unit e2e clean install uninstall windows
all: $(BUILD)/pdnslog

objs: $(OBJS)

$(BUILD)/pdnslog: $(OBJS) $(MAIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(PROFILER_LIBS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(OBJS) $(LDLIBS) $(CMOCKA_LIBS)

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

e2e: $(BUILD)/pdnslog
	@sh tests/e2e/corpus.sh udp.list

check: all $(UNIT_BINS)
	@PDNSLOG=$(BUILD)/pdnslog sh tests/check.sh $(UNIT_BINS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang OPT="$(ASAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" NO_WARNINGS_SUITE=1 PDNSLOG_SANITIZED=1 check

# The benchmark (bench/run.py): times, never asserted by make check.
bench: all
	@/usr/bin/python3 bench/run.py $(BENCH_ARGS)

# The -pdns_db store: insert rate and query latency on STORE_BENCH_FACTS
# generated facts (bench/store_bench.c); the store is left in $(BUILD)/bench.
STORE_BENCH_FACTS ?= 10000000
bench-store: $(BUILD)/bench/store_bench
	$(BUILD)/bench/store_bench $(BUILD)/bench/store.db $(STORE_BENCH_FACTS)

$(BUILD)/bench/store_bench: bench/store_bench.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(OBJS) $(LDLIBS)

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, pdnslog(8), the
# systemd unit (its paths filled in), sysusers.d and logrotate files, and the
# sample config: always as $(DOCDIR)/pdnslog.conf.example, and as
# $(SYSCONFDIR)/pdnslog/pdnslog.conf only when there is none (a user's
# config is never overwritten).  `make uninstall` leaves that config alone.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/pdnslog
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
install: all
	@mkdir -p $(BUILD)/dist
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/pdnslog.service.in >$(BUILD)/dist/pdnslog.service
	install -D -m 0755 $(BUILD)/pdnslog $(DESTDIR)$(BINDIR)/pdnslog
	install -D -m 0644 docs/pdnslog.8 $(DESTDIR)$(MANDIR)/man8/pdnslog.8
	install -D -m 0644 $(BUILD)/dist/pdnslog.service $(DESTDIR)$(UNITDIR)/pdnslog.service
	install -D -m 0644 dist/pdnslog.sysusers $(DESTDIR)$(SYSUSERSDIR)/pdnslog.conf
	install -D -m 0644 dist/pdnslog.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/pdnslog
	install -D -m 0644 dist/pdnslog.conf $(DESTDIR)$(DOCDIR)/pdnslog.conf.example
	install -D -m 0644 docs/json-format.md $(DESTDIR)$(DOCDIR)/json-format.md
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/pdnslog/pdnslog.conf ]; then \
		echo "$(DESTDIR)$(SYSCONFDIR)/pdnslog/pdnslog.conf exists: kept (new sample: $(DESTDIR)$(DOCDIR)/pdnslog.conf.example)"; \
	else \
		echo "install -D -m 0644 dist/pdnslog.conf $(DESTDIR)$(SYSCONFDIR)/pdnslog/pdnslog.conf"; \
		install -D -m 0644 dist/pdnslog.conf $(DESTDIR)$(SYSCONFDIR)/pdnslog/pdnslog.conf; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pdnslog $(DESTDIR)$(MANDIR)/man8/pdnslog.8 \
		$(DESTDIR)$(UNITDIR)/pdnslog.service $(DESTDIR)$(SYSUSERSDIR)/pdnslog.conf \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/pdnslog \
		$(DESTDIR)$(DOCDIR)/pdnslog.conf.example $(DESTDIR)$(DOCDIR)/json-format.md
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/pdnslog/pdnslog.conf and /var/log/pdnslog, if there"

# The worker threads under ThreadSanitizer: every capture with three workers.
check-tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan CC=clang OPT="-O1 -g -fsanitize=thread" \
		LDFLAGS="-fsanitize=thread" build/tsan/pdnslog
	@for f in tests/corpus/pcaps/* $$(find tests/corpus/gen -name '*.pcap'); do \
		TSAN_OPTIONS=halt_on_error=1 build/tsan/pdnslog -pcap $$f -numprocs 3 -quiet 2>build/tsan/err; \
		if grep -q ThreadSanitizer build/tsan/err; then cat build/tsan/err; exit 1; fi; \
	done
	@rm -f build/tsan/pdns.db*; for f in tests/corpus/pcaps/*; do \
		TSAN_OPTIONS=halt_on_error=1 build/tsan/pdnslog -pcap $$f -numprocs 3 -quiet -sandbox=false \
			-pdns_db build/tsan/pdns.db -pdns_clients 2>build/tsan/err || { cat build/tsan/err; exit 1; }; \
		if grep -q ThreadSanitizer build/tsan/err; then cat build/tsan/err; exit 1; fi; \
	done
	@{ cat tests/corpus/pcaps/dnscap__dns.pcap; sleep 2; } | TSAN_OPTIONS=halt_on_error=1 build/tsan/pdnslog \
		-pcap - -numprocs 3 -quiet -sandbox=false -pdns_db build/tsan/pdns.db -pdns_clients 2>build/tsan/err & \
		pid=$$!; sleep 1; kill -HUP $$pid; wait $$pid || { cat build/tsan/err; exit 1; }; \
		if grep -q ThreadSanitizer build/tsan/err; then cat build/tsan/err; exit 1; fi
	@echo "tsan: every capture with 3 workers, and into a -pdns_db store with -pdns_clients and a SIGHUP; no race reported"

# Fuzzing with libFuzzer: `make fuzz` runs each target for FUZZ_SECONDS,
# seeded from the test captures; finds go to build/fuzz/crashes/.
FUZZ_TARGETS = dns packets capture cofline
FUZZ_SECONDS ?= 60
FUZZ_DIR = build/fuzz
FUZZ_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang OPT="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" objs
	@for t in $(FUZZ_TARGETS); do \
		clang $(CSTD) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc $(PCAP_CFLAGS) \
			-o $(FUZZ_DIR)/fuzz_$$t fuzz/fuzz_$$t.c $(OBJS:$(BUILD)/%=$(FUZZ_DIR)/%) $(LDLIBS) || exit 1; \
	done

fuzz: fuzz-build
	@rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/crashes $(FUZZ_TARGETS:%=tests/fuzz-regressions/%)
	@/usr/bin/python3 fuzz/seeds.py $(FUZZ_DIR)/seeds tests/corpus/pcaps/* $$(find tests/corpus/gen -name '*.pcap')
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-max_len=65600 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- \
			$(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t tests/fuzz-regressions/$$t \
			2>$(FUZZ_DIR)/fuzz_$$t.log || { tail -n 40 $(FUZZ_DIR)/fuzz_$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/fuzz_$$t.log; \
	done

# Every input a fuzzer ever broke pdnslog with, replayed.
fuzz-regressions: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		$(FUZZ_DIR)/fuzz_$$t -runs=0 tests/fuzz-regressions/$$t >/dev/null 2>&1 || \
			{ echo "fuzz_$$t: a regression input fails again"; exit 1; }; \
	done; echo "fuzz regressions: replayed"

# Windows (x86_64): `make windows` cross-compiles build/windows/pdnslog.exe
# with mingw-w64 from the same sources, src/platform/win32/ in place of
# src/platform/posix/, and stand-ins there for the files of WIN_EXCLUDE
# (features without Windows libraries here, refused by their flags).
# libpcap is a pcap.dll (with the OpenSSL DLLs it loads) taken from the
# PyPI wheel `libpcap` at build time, never committed; the import library
# is made from the DLL itself (gendef, dlltool) and delay-loads it, so that
# Npcap's wpcap.dll is taken when installed (src/platform/win32/pcapload.c);
# the compiler sees libpcap-dev's portable headers alone (a private copy:
# /usr/include would pull in glibc's).  Every DLL the .exe needs is left
# beside it; libgcc, winpthreads and zlib (libz-mingw-w64-dev: gzip
# captures, -logCompress) are linked in statically.  `make check-windows`
# runs it under Wine against the Linux build (tests/windows/check.sh).
WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_DLLTOOL ?= x86_64-w64-mingw32-dlltool
WIN_BUILD   = build/windows
WIN_PCAP_WHEEL = libpcap==1.11.0b29
WIN_PCAP_DIR = libpcap/_platform/windows/x86_64/tcpdump
WIN_DLLS    = pcap.dll libcrypto-3-x64.dll libssl-3-x64.dll
PCAP_INCLUDEDIR ?= $(shell $(PKG_CONFIG) --variable=includedir libpcap)
WIN_EXCLUDE = src/capture/codecs.c src/capture/codec_bzip2.c src/capture/codec_lz4.c \
	src/capture/codec_xz.c src/capture/codec_zstd.c src/capture/input.c src/capture/pcapdir.c \
	src/daemon/privileges.c src/daemon/sandbox.c src/format/avro.c \
	src/sink/fluentd.c src/sink/kafka.c src/sink/kafkaconf.c src/sink/syslog.c src/stats/metrics.c \
	src/pdns/api.c src/pdns/apireq.c src/pdns/consume.c src/pdns/query.c src/pdns/serve.c \
	src/pdns/store.c src/pdns/writer.c
WIN_SRCS    = $(sort $(filter-out $(WIN_EXCLUDE),$(wildcard src/*/*.c)) $(wildcard src/platform/win32/*.c)) src/main.c
WIN_OBJS    = $(WIN_SRCS:src/%.c=$(WIN_BUILD)/obj/%.o)
# -Wno-format: mingw's gcc checks format(printf) as Microsoft's printf,
# but pdnslog uses mingw's C99 one (__USE_MINGW_ANSI_STDIO: %zu, %lld).
WIN_CFLAGS  = $(CSTD) $(WARN) -Wno-format $(OPT) -Isrc -I$(WIN_BUILD)/include -D__USE_MINGW_ANSI_STDIO=1 \
	-D_POSIX_THREAD_SAFE_FUNCTIONS -D_FILE_OFFSET_BITS=64 -D_WIN32_WINNT=0x0601 $(EXTRA_CFLAGS)
WIN_LIBS    = -L$(WIN_BUILD)/lib -lpcap.dll -ldelayimp -lws2_32 -lbcrypt -static-libgcc \
	-Wl,-Bstatic -lz -lwinpthread -Wl,-Bdynamic

windows: $(WIN_BUILD)/pdnslog.exe

$(WIN_BUILD)/pdnslog.exe: $(WIN_OBJS) $(WIN_BUILD)/lib/libpcap.dll.a
	$(WIN_CC) -o $@ $(WIN_OBJS) $(WIN_LIBS)

$(WIN_BUILD)/obj/%.o: src/%.c | $(WIN_BUILD)/include/pcap.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -MMD -MP -c -o $@ $<

$(WIN_BUILD)/include/pcap.h:
	@mkdir -p $(WIN_BUILD)/include
	cp -R $(PCAP_INCLUDEDIR)/pcap.h $(PCAP_INCLUDEDIR)/pcap $(WIN_BUILD)/include/

$(WIN_BUILD)/pcap.dll:
	@mkdir -p $(WIN_BUILD)/wheel
	/usr/bin/python3 -m pip download -q --no-deps --disable-pip-version-check --dest $(WIN_BUILD)/wheel '$(WIN_PCAP_WHEEL)'
	/usr/bin/python3 -c 'import sys, zipfile, glob; z = zipfile.ZipFile(glob.glob(sys.argv[1] + "/wheel/libpcap-*.whl")[0]); \
		[open(sys.argv[1] + "/" + n, "wb").write(z.read("$(WIN_PCAP_DIR)/" + n)) for n in sys.argv[2:]]' \
		$(WIN_BUILD) $(WIN_DLLS)

$(WIN_BUILD)/lib/libpcap.dll.a: $(WIN_BUILD)/pcap.dll
	@mkdir -p $(WIN_BUILD)/lib
	cd $(WIN_BUILD)/lib && gendef - ../pcap.dll >pcap.def 2>/dev/null && \
		$(WIN_DLLTOOL) -d pcap.def -y libpcap.dll.a -D pcap.dll

check-windows: all windows
	@timeout 1500 sh tests/windows/check.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(MAIN:.o=.d) $(WIN_OBJS:.o=.d)
