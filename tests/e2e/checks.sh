# checks: the tally the end-to-end shell scripts keep (the shell twin of
# checks.py).  Source it; `finish NAME` prints "NAME: N passed, N failed" as
# the last line, which tests/check.sh shows, and exits 1 if anything failed.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { # description, then a command that must succeed
	d=$1; shift
	if "$@"; then ok; else bad "$d"; fi
}
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
