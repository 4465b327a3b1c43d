#!/usr/bin/python3
"""End-to-end: standard output closed by its reader, and what the output
counters of the stats record say.

- `pdnslog -pcap BIG | head -n 5`: exit 0, nothing on stderr, and it stopped
  reading at once (far fewer packets than the file holds);
- the same with -logfile: it goes on, the file gets every record, stderr says
  once that standard output closed, stdout_lost counts what it missed;
- standard output on /dev/full: every record lost and counted, none written,
  exit 1 (a failed output is an error);
- -quiet without any output: records_written 0, records_built the work done.

BIG is at least 200,000 packets of resolver traffic (bench/gen_bench_capture.py).

usage: pipe.py PDNSLOG"""
import json
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish  # noqa: E402

PDNSLOG = os.path.abspath(sys.argv[1])
SMALL = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
PACKETS = 200000


def last_stats(path):
    last = {}
    with open(path) as f:
        for line in f:
            if line.startswith('{"type":"stats"'):
                last = json.loads(line)
    return last


def counters(st, *prefixes):
    return str({k: v for k, v in st.items() if k.startswith(prefixes or ("records", "stdout", "logfile",
                                                                          "output", "packets"))})


def head(tmp, big, lines, extra):
    """pdnslog ... | head -n LINES: its status, stderr, last stats record,
    and the lines read."""
    stats = os.path.join(tmp, "stats")
    if os.path.exists(stats):
        os.unlink(stats)
    with open(os.path.join(tmp, "err"), "w+") as err:
        p = subprocess.Popen([PDNSLOG, "-pcap", big, "-stats_file", stats, "-stats_interval", "0"] + extra,
                             stdout=subprocess.PIPE, stderr=err)
        got = [p.stdout.readline() for _ in range(lines)]
        p.stdout.close()  # the reader goes away, as head does
        try:
            rc = p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        err.seek(0)
        return rc, err.read(), last_stats(stats), got


def run(tmp, args, stdout):
    stats = os.path.join(tmp, "stats")
    if os.path.exists(stats):
        os.unlink(stats)
    with open(stdout, "w") as out:
        p = subprocess.run([PDNSLOG, "-stats_file", stats] + args, stdout=out, stderr=subprocess.PIPE,
                           text=True, timeout=120)
    return p.returncode, p.stderr, last_stats(stats)


def stdout_only(tmp, big):
    for np in ("1", "2"):
        rc, err, st, got = head(tmp, big, 5, ["-numprocs", np])
        what = "| head -n 5, -numprocs %s" % np
        expect("%s: exit 0" % what, rc == 0, "rc=%d %s" % (rc, err[-300:]))
        expect("%s: nothing on stderr" % what, err == "", repr(err[-300:]))
        expect("%s: 5 records read" % what, len(got) == 5 and all(l.startswith(b"{") for l in got), repr(got[:1]))
        expect("%s: it stopped reading at once (packets %s of %d)" % (what, st.get("packets"), PACKETS),
               0 < st.get("packets", PACKETS) < PACKETS // 2, counters(st))
        expect("%s: what standard output missed is counted (stdout_lost > 0), no output error" % what,
               st.get("stdout_lost", 0) > 0 and st.get("output_errors") == 0 and
               st.get("stdout_records", 0) + st.get("stdout_lost", 0) == st.get("records_built"),
               counters(st))
        expect("%s: records_written = what standard output took" % what,
               0 < st.get("records_written", 0) == st.get("stdout_records") < st.get("records_built"),
               counters(st))


def with_logfile(tmp, big):
    log = os.path.join(tmp, "log")
    for np in ("1", "2"):
        if os.path.exists(log):
            os.unlink(log)
        rc, err, st, got = head(tmp, big, 5, ["-numprocs", np, "-logfile", log])
        what = "-logfile, | head -n 5, -numprocs %s" % np
        with open(log) as f:
            lines = f.read().splitlines()
        expect("%s: exit 0" % what, rc == 0, "rc=%d %s" % (rc, err[-300:]))
        expect("%s: stderr says once that standard output closed, nothing else" % what,
               err.splitlines() == ["pdnslog: standard output closed by its reader; "
                                    "records go on to -logfile only"], repr(err[-300:]))
        expect("%s: it read the whole capture" % what, st.get("packets", 0) >= PACKETS, counters(st))
        expect("%s: the file holds every record (%d), logfile_records counts them" % (what, len(lines)),
               len(lines) == st.get("records_built") == st.get("logfile_records") == st.get("records_written")
               and st.get("logfile_lost") == 0 and len(lines) > PACKETS // 3, counters(st))
        expect("%s: stdout_lost counts what standard output missed" % what,
               st.get("stdout_lost", 0) > 0 and
               st.get("stdout_records", 0) + st.get("stdout_lost", 0) == st.get("records_built") and
               st.get("output_errors") == 0, counters(st))


def failing_outputs(tmp):
    out = os.path.join(tmp, "out")
    rc, err, st = run(tmp, ["-pcap", SMALL], "/dev/full")
    expect("stdout on /dev/full: exit 1, the error said once",
           rc == 1 and err.splitlines() == ["pdnslog: writing to stdout: No space left on device"],
           "rc=%d %r" % (rc, err[-300:]))
    expect("stdout on /dev/full: every record lost and counted, none written",
           st.get("records_built", 0) > 0 and st.get("records_written") == 0 and st.get("stdout_records") == 0
           and st.get("stdout_lost") == st.get("records_built") and st.get("output_errors", 0) > 0,
           counters(st))
    rc, err, st = run(tmp, ["-pcap", SMALL, "-logfile", "/dev/full"], out)
    with open(out) as f:
        n = len(f.read().splitlines())
    expect("-logfile /dev/full beside stdout: exit 1 (a failed write), records_written = stdout's",
           rc == 1 and n > 0 and st.get("records_written") == n == st.get("stdout_records") and
           st.get("logfile_lost") == n and st.get("logfile_records") == 0, "rc=%d %s" % (rc, counters(st)))
    rc, err, st = run(tmp, ["-pcap", SMALL, "-quiet"], out)
    expect("-quiet, no output: exit 0, records_written 0, records_built the work done, nothing said",
           rc == 0 and err == "" and st.get("records_written") == 0 and st.get("records_built", 0) > 0 and
           st.get("stdout_records") == 0 and st.get("stdout_lost") == 0 and os.path.getsize(out) == 0,
           "rc=%d %r %s" % (rc, err[-200:], counters(st)))
    rc, err, st = run(tmp, ["-pcap", SMALL, "-quiet", "-logfile", os.path.join(tmp, "q.log")], out)
    with open(os.path.join(tmp, "q.log")) as f:
        n = len(f.read().splitlines())
    expect("-quiet -logfile: records_written = logfile_records = lines",
           rc == 0 and n > 0 and st.get("records_written") == st.get("logfile_records") == n ==
           st.get("records_built") and st.get("stdout_records") == 0, counters(st))


with tempfile.TemporaryDirectory() as tmp:
    big = os.path.join(tmp, "big.pcap")
    subprocess.run(["/usr/bin/python3", os.path.join(top, "bench", "gen_bench_capture.py"), "--packets",
                    str(PACKETS), big], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stdout_only(tmp, big)
    with_logfile(tmp, big)
    failing_outputs(tmp)
finish("pipe")
