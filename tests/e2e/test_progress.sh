#!/bin/sh
# End-to-end: the progress line and the end-of-run summary on a real
# terminal (a tmux pane), and nothing of them when standard error is a file
# or -progress=false (tests/e2e/progress.py).  Needs tmux (.ci/packages).
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
exec timeout 300 /usr/bin/python3 "$top/tests/e2e/progress.py" "$bin"
