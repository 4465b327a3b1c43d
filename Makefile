# pdnslog build.  `make` builds build/pdnslog; `make check` runs every test.
CC      ?= cc
PKG_CONFIG ?= pkg-config
CSTD    = -std=c11 -D_GNU_SOURCE
WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2 -g
PCAP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libpcap)
PCAP_LIBS   ?= $(shell $(PKG_CONFIG) --libs libpcap)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Isrc $(PCAP_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS  += $(PCAP_LIBS) $(EXTRA_LIBS)

BUILD   = build
SRCS    = $(sort $(wildcard src/*/*.c))
OBJS    = $(SRCS:src/%.c=$(BUILD)/obj/%.o)
MAIN    = $(BUILD)/obj/main.o
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check check-asan unit e2e clean
all: $(BUILD)/pdnslog

$(BUILD)/pdnslog: $(OBJS) $(MAIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(MAIN:.o=.d)
