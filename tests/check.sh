#!/bin/sh
# make check: -Werror builds, every unit test binary (cmocka), every
# end-to-end suite, the Windows build under Wine (when mingw-w64 and Wine
# are installed), the same under ASan/UBSan, and the fuzzers.
# Prints one line per suite and a final "N passed, N failed" over the suites.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
	name=$1; shift
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		sed 's/^/     /' "$log" | tail -n 60
	fi
}
# Warnings are errors here, with both compilers.
if [ -z "${NO_WARNINGS_SUITE:-}" ]; then
	for cc in gcc clang; do
		run "build $cc -Werror" make -s --no-print-directory BUILD="build/werror-$cc" CC=$cc EXTRA_CFLAGS=-Werror all
	done
fi
for t in "$@"; do
	run "unit $(basename "$t")" "$t"
done
for s in tests/e2e/test_*.sh; do
	run "e2e $(basename "$s" .sh)" sh "$s"
done
run "corpus udp.list" sh tests/e2e/corpus.sh udp.list
run "corpus tcpfrag.list" sh tests/e2e/corpus.sh tcpfrag.list
run "corpus other.list" sh tests/e2e/corpus.sh other.list
# The Windows build under Wine, where mingw-w64 and Wine are installed
# (.ci/packages has them): make check-windows.
if [ -z "${PDNSLOG_SANITIZED:-}" ] && command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 &&
   command -v wine >/dev/null 2>&1; then
	run "windows (make check-windows)" make -s --no-print-directory check-windows
fi
# Once more under the sanitizers, then the fuzzers: every input that ever
# broke pdnslog, and FUZZ_SECONDS (default 60) of fuzzing per target.
if [ -z "${PDNSLOG_SANITIZED:-}" ]; then
	run "sanitizers (make check-asan)" make -s --no-print-directory check-asan
	run "threads (make check-tsan)" make -s --no-print-directory check-tsan
	run "fuzz regressions" make -s --no-print-directory fuzz-regressions
	if [ "${FUZZ_SECONDS:-60}" -gt 0 ]; then
		run "fuzz, ${FUZZ_SECONDS:-60} s per target" make -s --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
	fi
fi
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
