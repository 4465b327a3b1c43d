#!/bin/sh
# End-to-end: `make install` into a temporary DESTDIR (PREFIX=/usr): every file
# there with its mode; the installed binary logs a capture exactly as the
# built one; the sample config is never overwritten; the man page lints clean
# and documents every flag `pdnslog -h` lists and every stats counter; the
# installed systemd unit passes `systemd-analyze verify` (and broken copies of
# it do not); the logrotate file parses.
# Needs: make, groff (groff-base), systemd (systemd-analyze), logrotate.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
D="$t/root"
. "$top/tests/e2e/checks.sh"

if [ ! -x "$bin" ]; then
	bad "no binary at $bin (run make first)"
	finish install
fi

# --- make install -----------------------------------------------------------
# BUILD is the built binary's folder, so install takes that binary (the
# sanitizer suites build elsewhere) and builds nothing.
build=$(dirname "$bin")
if ! make -s --no-print-directory -C "$top" install DESTDIR="$D" PREFIX=/usr BUILD="$build" >"$t/install.log" 2>&1; then
	bad "make install DESTDIR=$D PREFIX=/usr failed: $(tail -n 5 "$t/install.log")"
	finish install
fi
ok

# installed MODE PATH [SOURCE]: installed, a regular file with this mode, the same
# bytes as SOURCE when given.
installed() {
	if [ ! -f "$D$2" ]; then bad "$2 not installed"; return; fi
	m=$(stat -c %a "$D$2")
	if [ "$m" != "$1" ]; then bad "$2 has mode $m, want $1"; return; fi
	if [ $# -ge 3 ] && ! cmp -s "$top/$3" "$D$2"; then bad "$2 differs from $3"; return; fi
	ok
}
installed 755 /usr/bin/pdnslog
installed 644 /usr/share/man/man8/pdnslog.8 docs/pdnslog.8
installed 644 /usr/lib/systemd/system/pdnslog.service
installed 644 /usr/lib/sysusers.d/pdnslog.conf dist/pdnslog.sysusers
installed 644 /etc/logrotate.d/pdnslog dist/pdnslog.logrotate
installed 644 /etc/pdnslog/pdnslog.conf dist/pdnslog.conf
installed 644 /usr/share/doc/pdnslog/pdnslog.conf.example dist/pdnslog.conf
installed 644 /usr/share/doc/pdnslog/json-format.md docs/json-format.md
check "installed binary differs from $bin" cmp -s "$bin" "$D/usr/bin/pdnslog"
# Nothing but what the install puts there, nothing outside DESTDIR's /usr and /etc.
find "$D" -type f | sed "s|^$D||" | sort >"$t/files"
check "unexpected files installed: $(tr '\n' ' ' <"$t/files")" [ "$(wc -l <"$t/files")" -eq 8 ]
check "files installed outside /usr and /etc: $(grep -v -e '^/usr/' -e '^/etc/' "$t/files" | tr '\n' ' ')" \
	sh -c "! grep -q -v -e '^/usr/' -e '^/etc/' '$t/files'"

# The unit: paths filled in for PREFIX=/usr, no placeholder left.
unit="$D/usr/lib/systemd/system/pdnslog.service"
check "unit: ExecStart is not /usr/bin/pdnslog -config /etc/pdnslog/pdnslog.conf" \
	grep -qx 'ExecStart=/usr/bin/pdnslog -config /etc/pdnslog/pdnslog.conf' "$unit"
check "unit: a @...@ placeholder is left" sh -c "! grep -q '@[A-Z]*@' '$unit'"

# A second install keeps a config the user changed, and updates the example.
echo "# changed by the user" >>"$D/etc/pdnslog/pdnslog.conf"
cp "$D/etc/pdnslog/pdnslog.conf" "$t/user.conf"
echo "# older example" >>"$D/usr/share/doc/pdnslog/pdnslog.conf.example"
if make -s --no-print-directory -C "$top" install DESTDIR="$D" PREFIX=/usr BUILD="$build" >"$t/install2.log" 2>&1; then
	check "a second make install overwrote /etc/pdnslog/pdnslog.conf" cmp -s "$t/user.conf" "$D/etc/pdnslog/pdnslog.conf"
	check "a second make install did not update the example config" \
		cmp -s "$top/dist/pdnslog.conf" "$D/usr/share/doc/pdnslog/pdnslog.conf.example"
else
	bad "second make install failed: $(tail -n 5 "$t/install2.log")"
fi

# --- the installed binary -----------------------------------------------------
inst="$D/usr/bin/pdnslog"
if "$inst" -version >"$t/version" 2>&1 && grep -q '^pdnslog [0-9]' "$t/version"; then ok; else
	bad "installed pdnslog -version: $(head -c 200 "$t/version")"
fi
for p in dqy__mx.pcap dnscap__dns.pcap dnscap__dnso1tcp.pcap arkime__v6.pcap; do
	for f in flat json; do
		"$bin" -pcap "$pcaps/$p" -format "$f" -numprocs 1 -name t -stats_interval 0 >"$t/want" 2>/dev/null
		rw=$?
		"$inst" -pcap "$pcaps/$p" -format "$f" -numprocs 1 -name t -stats_interval 0 >"$t/got" 2>/dev/null
		rg=$?
		if [ "$rw" -ne 0 ] || [ "$rg" -ne 0 ]; then
			bad "$p -format $f: exit status $rw (built), $rg (installed)"
		elif [ ! -s "$t/want" ]; then
			bad "$p -format $f: no records"
		elif ! cmp -s "$t/want" "$t/got"; then
			bad "$p -format $f: installed binary's records differ"
		else
			ok
		fi
	done
done

# --- the man page ---------------------------------------------------------------
man8="$D/usr/share/man/man8/pdnslog.8"
if command -v groff >/dev/null 2>&1; then
	groff -man -ww -z "$man8" >"$t/lint" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$t/lint" ]; then ok; else
		bad "groff -man -ww -z pdnslog.8 (status $rc): $(head -n 5 "$t/lint")"
	fi
else
	bad "groff not found (Debian package groff-base)"
fi
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man --warnings -l "$man8" >"$t/man.txt" 2>"$t/lint"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$t/lint" ]; then ok; else
		bad "man --warnings -l pdnslog.8 (status $rc): $(head -n 5 "$t/lint")"
	fi
fi

# Every flag -h lists is an option entry: a .TP paragraph whose tag line
# (.B/.BI/.BR) names \-FLAG; every counter of the stats X-list, and every
# other key the stats record has, is a .TP entry of STATISTICS.
"$bin" -h >"$t/help" 2>&1
/usr/bin/python3 - "$t/help" "$man8" "$top/src/stats/stats.h" "$top/src/stats/stats.c" >"$t/doc" 2>&1 <<'EOF'
import re, sys
helptext, man, stats_h, stats_c = (open(p, encoding="utf-8").read() for p in sys.argv[1:5])
flags = re.findall(r"^  -(\w+)", helptext, re.M)
lines = man.splitlines()
entries, stats_entries, section = set(), set(), ""
for i, line in enumerate(lines):
    if line.startswith(".SH"):
        section = line[3:].strip().strip('"')
    if line.strip() == ".TP" and i + 1 < len(lines) and re.match(r"\.B[IR]?\s", lines[i + 1]):
        tag = lines[i + 1]
        entries.update(re.findall(r"\\-(\w+)", tag))
        if section == "STATISTICS":
            stats_entries.update(re.findall(r"^\.B\s+(\w+)\s*$", tag))
macro = re.search(r"#define STATS_COUNTERS\(X\)(.*?)\n\n", stats_h, re.S)
counters = re.findall(r"\bX\((\w+),", macro.group(1)) if macro else []
# Keys of the stats record beyond the X-list (dns_errors, pending, ...).
counters += [k for k in re.findall(r'jsonw_key\(&j, "(\w+)"\)', stats_c) if k not in ("type", "sensor")]
bad = 0
if len(flags) < 10:
    print("FAIL: only %d flags found in pdnslog -h" % len(flags)); bad += 1
if len(counters) < 40:
    print("FAIL: only %d counters found in src/stats/stats.h" % len(counters)); bad += 1
for f in flags:
    if f not in entries:
        print("FAIL: flag -%s (pdnslog -h) has no option entry in docs/pdnslog.8" % f); bad += 1
for c in counters:
    if c not in stats_entries:
        print("FAIL: stats counter %s (src/stats) has no entry under STATISTICS in docs/pdnslog.8" % c); bad += 1
print("checked %d flags, %d counters" % (len(flags), len(counters)))
sys.exit(1 if bad else 0)
EOF
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "man page behind the code: $(grep FAIL "$t/doc" | tr '\n' ' ')"; fi

# The sample config: every key, set or commented out (#key = value), is a flag.
/usr/bin/python3 - "$t/help" "$top/dist/pdnslog.conf" >"$t/conf" 2>&1 <<'EOF'
import re, sys
flags = set(re.findall(r"^  -(\w+)", open(sys.argv[1]).read(), re.M))
bad = n = 0
for no, line in enumerate(open(sys.argv[2]), 1):
    m = re.match(r"^#?(\w+)\s*=\s*\S", line)
    if not m:
        continue
    n += 1
    if m.group(1) not in flags:
        print("FAIL: dist/pdnslog.conf:%d: %s is not a flag of pdnslog -h" % (no, m.group(1))); bad += 1
if n < 10:
    print("FAIL: only %d settings in dist/pdnslog.conf" % n); bad += 1
sys.exit(1 if bad else 0)
EOF
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "sample config: $(grep FAIL "$t/conf" | tr '\n' ' ')"; fi
# Once pdnslog has -config: the installed config, its dev replaced by the
# capture and its logfile by a temporary one, logs as the same flags do.
if grep -q '^  -config ' "$t/help"; then
	sed -e "s|^dev = .*|pcap = $pcaps/dqy__mx.pcap|" -e "s|^logfile = .*|logfile = $t/conf.log|" \
		"$D/etc/pdnslog/pdnslog.conf" >"$t/test.conf"
	"$bin" -config "$t/test.conf" -numprocs 1 -name t 2>"$t/err1"
	rc=$?
	"$bin" -pcap "$pcaps/dqy__mx.pcap" -logfile "$t/flags.log" -quiet -format flat -gc_age 1m \
		-stats_interval 60s -numprocs 1 -name t 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		bad "pdnslog -config (installed sample) exited $rc: $(head -n 1 "$t/err1")"
	else
		check "pdnslog -config (installed sample) logs otherwise than its flags" cmp -s "$t/flags.log" "$t/conf.log"
	fi
else
	echo "note: pdnslog -h has no -config yet: the sample config was not run"
fi

# --- the systemd unit -------------------------------------------------------
# verify checks that ExecStart's binary exists, so a copy points it into
# DESTDIR; MANPATH lets it find Documentation=man:pdnslog(8) there.  A unit
# passes when verify exits 0 and says nothing (unknown keys and bad values
# are only warnings).
verify() { # unit file; 0 if clean
	(cd "$(dirname "$1")" && MANPATH="$D/usr/share/man" SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify "$(basename "$1")") >"$t/verify" 2>&1 && [ ! -s "$t/verify" ]
}
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$t/unit" "$t/broken1" "$t/broken2" "$t/broken3" "$t/broken4"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$D/usr/bin/|" "$unit" >"$t/unit/pdnslog.service"
	if verify "$t/unit/pdnslog.service"; then ok; else
		bad "systemd-analyze verify pdnslog.service: $(head -n 5 "$t/verify")"
	fi
	# It must catch a missing binary, a misspelt key, a bad value, a
	# missing man page.
	sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/pdnslog|' "$t/unit/pdnslog.service" >"$t/broken1/pdnslog.service"
	sed 's|^ProtectSystem=|ProtectSytem=|' "$t/unit/pdnslog.service" >"$t/broken2/pdnslog.service"
	sed 's|^RestrictAddressFamilies=.*|RestrictAddressFamilies=AF_PACKET AF_BOGUS|' "$t/unit/pdnslog.service" >"$t/broken3/pdnslog.service"
	sed 's|^Documentation=.*|Documentation=man:pdnslog-nosuch(8)|' "$t/unit/pdnslog.service" >"$t/broken4/pdnslog.service"
	for b in 1 2 3 4; do
		if verify "$t/broken$b/pdnslog.service"; then
			bad "systemd-analyze verify passed a broken unit: $(diff "$t/unit/pdnslog.service" "$t/broken$b/pdnslog.service" | grep '^>')"
		else
			ok
		fi
	done
	# The hardening the unit is for, as systemd reads it.
	systemd-analyze security --offline=yes "$t/unit/pdnslog.service" >"$t/security" 2>&1
	level=$(sed -n 's/.*Overall exposure level for pdnslog.service: \([0-9.]*\).*/\1/p' "$t/security")
	check "systemd-analyze security: exposure ${level:-unknown}, want at most 2.5" \
		awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2.5) }'
else
	bad "systemd-analyze not found (Debian package systemd)"
fi

# --- logrotate ------------------------------------------------------------------
if command -v logrotate >/dev/null 2>&1; then
	# Debug mode (-d) parses and plans without touching anything.
	logrotate -d -s "$t/lr.state" "$D/etc/logrotate.d/pdnslog" >"$t/lr" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -qi error "$t/lr"; then ok; else
		bad "logrotate -d /etc/logrotate.d/pdnslog (status $rc): $(grep -i error "$t/lr" | head -n 3)"
	fi
	check "logrotate file uses copytruncate" sh -c "! grep -q '^[^#]*copytruncate' '$D/etc/logrotate.d/pdnslog'"
else
	echo "note: logrotate not installed: /etc/logrotate.d/pdnslog not parsed"
fi

finish install
