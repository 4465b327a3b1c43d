#!/usr/bin/python3
"""make bench: time pdnslog against a bare libpcap read loop on the benchmark
capture, and measure memory under a flood of unanswered queries.

usage: run.py [--runs N] [--no-tshark]
Every configuration runs N times (default 5); the table gives medians of wall
and CPU seconds, packets/s, records/s and peak RSS (GNU time), and each
pdnslog time as a ratio of the read loop's.  Writes build/bench/results.md."""
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "build", "bench")
PDNSLOG = os.path.join(TOP, "build", "pdnslog")
READLOOP = os.path.join(OUT, "readloop")
CAPTURE = os.path.join(OUT, "bench.pcap")
FLOOD = os.path.join(OUT, "flood.pcap")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5


def timed(cmd, stdout=subprocess.DEVNULL):
    """(wall s, cpu s, peak RSS KiB, stderr) of one run: wall time from a
    monotonic clock around the run, CPU and peak RSS from GNU time (a child
    of this Python process would inherit its RSS high-water mark)."""
    res = os.path.join(OUT, "time.txt")
    errpath = os.path.join(OUT, "stderr.txt")
    with open(errpath, "wb") as err:
        start = time.perf_counter()
        rc = subprocess.call(["/usr/bin/time", "-f", "%U %S %M", "-o", res] + cmd,
                             stdout=stdout, stderr=err)
        wall = time.perf_counter() - start
    if rc != 0:
        sys.exit("bench: %s exited %d" % (" ".join(cmd), rc))
    user, sys_, rss = open(res).read().split()[-3:]
    return wall, float(user) + float(sys_), int(rss), open(errpath).read()


def stats_of(stderr):
    for line in reversed(stderr.strip().splitlines()):
        if line.startswith('{"type":"stats"'):
            return json.loads(line)
    return {}


def summary(name, cmd, runs):
    return dict(name=name, cmd=" ".join(cmd).replace(TOP + "/", ""),
                wall=statistics.median(r[0] for r in runs), cpu=statistics.median(r[1] for r in runs),
                rss=statistics.median(r[2] for r in runs), stats=stats_of(runs[-1][3]),
                walls=[r[0] for r in runs])


def median_runs(configs):
    """Run every (name, cmd, before) once per round, RUNS rounds: the
    configurations take turns, so a slow spell of the machine falls on all
    of them alike rather than on whichever ran then."""
    runs = [[] for _ in configs]
    for _ in range(RUNS):
        for i, (name, cmd, before) in enumerate(configs):
            if before:
                before()
            runs[i].append(timed(cmd))
    return [summary(name, cmd, r) for (name, cmd, _), r in zip(configs, runs)]


def median_run(name, cmd, before=None):
    return median_runs([(name, cmd, before)])[0]


def write_flood(path, n):
    """n queries, each from its own client port (and address), never answered."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        qname = b"\x05flood\x07example\x03com\x00"
        for i in range(n):
            dns = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + qname + b"\x00\x01\x00\x01"
            udp = struct.pack("!HHHH", 1024 + i % 64000, 53, 8 + len(dns), 0) + dns
            src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src,
                             b"\xc0\x00\x02\x35") + udp
            frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip
            ts = 1700000000 + i // 100000
            f.write(struct.pack("<IIII", ts, (i % 100000) * 10, len(frame), len(frame)) + frame)


def main():
    os.makedirs(OUT, exist_ok=True)
    subprocess.check_call(["make", "-s", "-C", TOP, "all"])
    subprocess.check_call(["cc", "-O2", "-o", READLOOP, os.path.join(TOP, "bench", "readloop.c"), "-lpcap"])
    if not os.path.exists(CAPTURE):
        subprocess.check_call(["/usr/bin/python3", os.path.join(TOP, "bench", "gen_bench_capture.py"), CAPTURE])
    packets = int(subprocess.check_output([READLOOP, CAPTURE]).split()[1])

    logfile = os.path.join(OUT, "out.jsonl")
    rm_log = lambda: os.path.exists(logfile) and os.unlink(logfile)  # noqa: E731
    configs = [("libpcap read loop (bench/readloop.c)", [READLOOP, CAPTURE], None),
               ("libpcap read loop, 64 KiB stdio buffer as pdnslog reads files",
                [READLOOP, "-b", "64", CAPTURE], None)]
    for name, args, before in (
            ("pdnslog -format flat > /dev/null, 1 worker", ["-numprocs", "1"], None),
            ("pdnslog -format json > /dev/null, 1 worker", ["-numprocs", "1", "-format", "json"], None),
            ("pdnslog -format flat -logfile FILE -quiet, 1 worker",
             ["-numprocs", "1", "-quiet", "-logfile", logfile], rm_log),
            ("pdnslog -format flat > /dev/null, 2 workers", ["-numprocs", "2"], None)):
        configs.append((name, [PDNSLOG, "-pcap", CAPTURE, "-name", "bench"] + args, before))
    rows = median_runs(configs)
    if "--no-tshark" not in sys.argv and shutil.which("tshark"):
        rows.append(median_run("tshark -r FILE -Y dns > /dev/null (reference)",
                               ["tshark", "-r", CAPTURE, "-n", "-Y", "dns"]))
    base = rows[0]["wall"]
    # The same ratio taken within each round (the configurations run one
    # after the other), then the median: less sensitive to a slow spell.
    paired = ["%s %.2f" % (label, statistics.median(w / b for w, b in zip(r["walls"], rows[0]["walls"])))
              for label, r in zip(("flat", "json", "flat to a file", "flat with 2 workers"), rows[2:6])]

    if not os.path.exists(FLOOD):
        write_flood(FLOOD, 2000000)
    flood = median_run("flood: 2,000,000 unanswered queries, default -max_pending",
                       [PDNSLOG, "-pcap", FLOOD, "-quiet", "-numprocs", "1"])
    tiny = median_run("baseline: pdnslog on a one-packet capture",
                      [PDNSLOG, "-pcap", os.path.join(TOP, "tests/corpus/pcaps/dqy__mx.pcap"),
                       "-quiet", "-numprocs", "1"])

    lines = ["| run | wall s | CPU s | packets/s | records/s | peak RSS MiB | x read loop |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        recs = r["stats"].get("records_written")
        lines.append("| %s | %.3f | %.3f | %s | %s | %.1f | %s |" % (
            r["name"], r["wall"], r["cpu"], format(int(packets / r["wall"]), ","),
            format(int(recs / r["wall"]), ",") if recs else "",
            r["rss"] / 1024, "%.2f" % (r["wall"] / base) if r is not rows[0] else "1.00"))
    per = (flood["rss"] - tiny["rss"]) * 1024 / max(1, flood["stats"].get("pending_peak", 1))
    lines += ["", "Flood: %s pending at most (`pending_peak`), %s evicted and written as unanswered; "
              "peak RSS %.1f MiB against %.1f MiB for a one-packet run: %.0f bytes per pending exchange." % (
                  format(flood["stats"].get("pending_peak", 0), ","),
                  format(flood["stats"].get("pair_evicted", 0), ","),
                  flood["rss"] / 1024, tiny["rss"] / 1024, per),
              "", "Ratio to the read loop in the same round, median over the rounds: %s." % "; ".join(paired),
              "", "Capture: %s packets (%s); %d runs each, medians; wall times of each run:" % (
                  format(packets, ","), os.path.relpath(CAPTURE, TOP), RUNS)]
    for r in rows + [flood]:
        lines.append("- %s: %s (`%s`)" % (r["name"], " ".join("%.3f" % w for w in r["walls"]), r["cmd"]))
    text = "\n".join(lines) + "\n"
    open(os.path.join(OUT, "results.md"), "w").write(text)
    print(text)


main()
