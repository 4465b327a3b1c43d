"""End-to-end: the progress line and the summary on a real terminal (tmux).

A large capture (a corpus capture repeated, timestamps moving on, grown until
one run takes about 2 s) is read:
- in a tmux pane (standard error a terminal): snapshots of the pane show a
  progress line with a percentage while it runs; at the end the pane holds
  the human summary, no progress line and no JSON stats record; the bytes
  pdnslog sent to the terminal (pipe-pane) redraw the line with "\\r" ...
  "\\033[K", at most 4 times a second, and erase it before the stats record
  SIGUSR1 asks for, which starts a line of its own;
- with TERM=dumb: no escape sequence at all, the line erased with spaces;
- with standard error to a file: no progress line, no "\\r", no escape, and
  the JSON stats record as the last line, as before;
- with -progress=false in the pane: no progress line, the summary still;
- with -stats_file in the pane: the summary names the file, which holds the
  JSON record.
Usage: progress.py PDNSLOG"""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import expect, finish  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE = os.path.join(TOP, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
TARGET_S = 2.5          # a run on the big capture takes about this long
MAX_BYTES = 700 << 20   # but the capture never grows past this
# Every run: JSON records to /dev/null, more work a byte than -quiet alone.
ARGS = "-quiet -format json -logfile /dev/null"
PROGRESS = re.compile(r"pdnslog +\d{1,3}\.\d% +\S+ pkt/s +\S+ records +\d+:\d\d elapsed +[-\d:]+ left")


def read_pcap(path):
    """The global header and the (sec, usec, body) of every packet."""
    data = open(path, "rb").read()
    header, off, packets = data[:24], 24, []
    assert struct.unpack("<I", header[:4])[0] == 0xA1B2C3D4, "want a little-endian microsecond pcap"
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack_from("<IIII", data, off)
        packets.append((sec, usec, data[off:off + 16 + caplen]))
        off += 16 + caplen
    return header, packets


def append_rounds(path, header, packets, first_round, rounds):
    """Append `rounds` copies of the packets, each 10 s after the one before,
    so every exchange pairs in its own round."""
    template = bytearray(b"".join(p[2] for p in packets))
    offsets, off = [], 0
    for p in packets:
        offsets.append(off)
        off += len(p[2])
    base = packets[0][0]
    with open(path, "ab") as f:
        if first_round == 0:
            f.write(header)
        for r in range(first_round, first_round + rounds):
            shift = 10 * r
            for (sec, _, _), o in zip(packets, offsets):
                struct.pack_into("<I", template, o, sec - base + 1600000000 + shift)
            f.write(template)


def run_plain(bin_, pcap, args=()):
    """pdnslog with standard error to a file: (seconds, status, stderr bytes)."""
    t = time.monotonic()
    p = subprocess.run([bin_, "-pcap", pcap, *ARGS.split(), *args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    return time.monotonic() - t, p.returncode, p.stderr


class Tmux:
    """A tmux server of the test's own, one pane per run."""

    def __init__(self, tmp):
        self.sock = os.path.join(tmp, "tmux.sock")
        self.tmp = tmp
        self.n = 0
        # A session that stays: the server lives from run to run.
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "keep", "sleep 600")

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.sock, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30, check=check)

    def run(self, command, env=None, during=None):
        """Run command (a shell line) in a fresh 150x40 window; returns
        (pane snapshots while it ran, the pane at the end, the bytes it sent
        to the terminal, its exit status).  during(pid) is called once the
        process runs."""
        self.n += 1
        name = "run%d" % self.n
        raw = os.path.join(self.tmp, name + ".raw")
        pidf = os.path.join(self.tmp, name + ".pid")
        done = os.path.join(self.tmp, name + ".done")
        envs = " ".join("%s=%s" % kv for kv in (env or {}).items())
        # The run waits until the pane's output is piped to a file; then
        # pdnslog runs in the background (stderr still the terminal) so that
        # its pid is known.
        script = ("tmux -S %s wait-for go-%s; %s %s & echo $! >%s; wait $!; echo $? >%s.tmp; "
                  "mv %s.tmp %s; sleep 600" % (self.sock, name, envs, command, pidf, done, done, done))
        self.tmux("new-session", "-d", "-s", name, "-x", "150", "-y", "40", "sh", "-c", script)
        self.tmux("pipe-pane", "-t", name, "-o", "cat >>%s" % raw)
        self.tmux("wait-for", "-S", "go-" + name)
        snaps, pid, deadline = [], None, time.monotonic() + 90
        while not os.path.exists(done) and time.monotonic() < deadline:
            if pid is None and os.path.exists(pidf):
                try:
                    pid = int(open(pidf).read())
                except ValueError:
                    pid = None
                if pid is not None and during:
                    during(pid)
            snaps.append(self.tmux("capture-pane", "-p", "-t", name).stdout)
            time.sleep(0.05)
        status = int(open(done).read()) if os.path.exists(done) else None
        time.sleep(0.2)  # the last bytes through pipe-pane
        final = self.tmux("capture-pane", "-p", "-t", name).stdout
        self.tmux("kill-session", "-t", name, check=False)
        return snaps, final, open(raw, "rb").read() if os.path.exists(raw) else b"", status

    def close(self):
        self.tmux("kill-server", check=False)


def summary_ok(what, pane, stats_file=None, records=0):
    expect(what + ": summary's first line", re.search(r"^pdnslog: [\d,]+ packets \(.+\) in ", pane, re.M),
           repr(pane[-600:]))
    for line in (r"^  [\d,]+ DNS messages: [\d,]+ queries, [\d,]+ responses$",
                 r"^  [\d,]+ exchanges: [\d,]+ answered, [\d,]+ unanswered, [\d,]+ response only$",
                 r"^  [\d,]+ records written( \(of [\d,]+ built\))?$",
                 r"^  (nothing dropped, lost or malformed|dropped, lost or malformed:)$"):
        expect(what + ": summary line " + line, re.search(line, pane, re.M), repr(pane[-600:]))
    want = ("  full counters: %s (JSON stats record)" % stats_file if stats_file
            else "  full counters: pdnslog -stats_file FILE (a JSON stats record)")
    expect(what + ": summary says where the counters are", want in pane, repr(pane[-400:]))
    expect(what + ": no JSON stats record on the terminal (but %d asked for)" % records,
           pane.count('{"type":"stats"') == records, repr(pane[-400:]))
    expect(what + ": no progress line left", "pkt/s" not in pane, repr(pane[-400:]))


def main():
    bin_ = os.path.abspath(sys.argv[1])
    if not expect("tmux installed (.ci/packages)", shutil.which("tmux"), "tmux not found"):
        finish("progress")
    tmp = tempfile.mkdtemp(prefix="pdnslog-progress-")
    tm = Tmux(tmp)
    try:
        big = os.path.join(tmp, "big.pcap")
        header, packets = read_pcap(SOURCE)
        round_bytes = sum(len(p[2]) for p in packets)
        # Grow the capture until a plain run takes TARGET_S (twice at most).
        rounds, secs = 2000, 0.0
        append_rounds(big, header, packets, 0, rounds)
        for _ in range(3):
            secs, _, _ = run_plain(bin_, big)
            want = min(int(rounds * TARGET_S / max(secs, 0.01)), MAX_BYTES // round_bytes)
            if secs >= TARGET_S * 0.8 or want <= rounds * 1.1:
                break
            append_rounds(big, header, packets, rounds, want - rounds)
            rounds = want
        size = os.path.getsize(big)
        print("capture: %d packets, %d MB, %.2f s a run" % (rounds * len(packets), size >> 20, secs))

        # --- Standard error to a file: as before, JSON and nothing else.
        _, rc, err = run_plain(bin_, big)
        expect("stderr to a file: status 0", rc == 0, "status %d: %r" % (rc, err[-300:]))
        expect("stderr to a file: no \\r", b"\r" not in err, repr(err[:200]))
        expect("stderr to a file: no escape sequence", b"\033" not in err, repr(err[:200]))
        expect("stderr to a file: no progress line", b"pkt/s" not in err, repr(err[:200]))
        lines = err.decode(errors="replace").splitlines()
        try:
            last = json.loads(lines[-1]) if lines else {}
        except ValueError:
            last = {}
        expect("stderr to a file: the last line is the JSON stats record",
               last.get("type") == "stats" and last.get("packets") == rounds * len(packets),
               repr(lines[-1:])[:300])
        expect("stderr to a file: nothing but the record",
               len(lines) == 1, repr(lines[:3])[:300])

        # --- A terminal: the progress line while it runs, then the summary.
        usr1_at = []

        def usr1(pid):
            time.sleep(0.8)  # a few lines drawn first
            usr1_at.append(time.monotonic())
            os.kill(pid, signal.SIGUSR1)

        t0 = time.monotonic()
        snaps, final, raw, status = tm.run("%s -pcap %s %s" % (bin_, big, ARGS), during=usr1)
        wall = time.monotonic() - t0
        expect("terminal: status 0", status == 0, "status %r, pane %r" % (status, final[-400:]))
        shown = [m.group(0) for s in snaps for m in [PROGRESS.search(s)] if m]
        expect("terminal: a progress line with a percentage while it runs", shown,
               "%d snapshots, e.g. %r" % (len(snaps), snaps[len(snaps) // 2][-300:] if snaps else ""))
        pcts = [float(re.search(r"(\d+\.\d)%", s).group(1)) for s in shown]
        expect("terminal: the percentage moves on", len(set(pcts)) >= 2 and pcts == sorted(pcts), repr(pcts))
        summary_ok("terminal", final, records=1)  # SIGUSR1's
        # The bytes sent: "\r" LINE "\033[K" redraws, at most 4 a second.
        draws = re.findall(rb"\rpdnslog +\d+\.\d% [^\r\n\033]*\033\[K", raw)
        expect("terminal: the line is drawn \\r ... \\033[K", len(draws) >= 3, repr(raw[:300]))
        expect("terminal: at most 4 lines a second", len(draws) <= 4 * wall + 1,
               "%d lines in %.1f s" % (len(draws), wall))
        expect("terminal: no line ends without being erased",
               raw.rfind(b"\r\033[K") > raw.rfind(b"pkt/s"), repr(raw[-300:]))
        # SIGUSR1's stats record: the line erased first, the record on a line of its own.
        i = raw.find(b'{"type":"stats"')
        expect("terminal: SIGUSR1's JSON record came", i >= 0 and usr1_at, repr(raw[-300:]))
        if i >= 0:
            expect("terminal: the line is erased before the stats record",
                   raw[:i].endswith(b"\r\033[K") or raw[:i].endswith(b"\r\n") or i == 0, repr(raw[max(0, i - 120):i + 20]))
            expect("terminal: the record starts a line of the pane",
                   any(re.search(r'^\{"type":"stats"', s, re.M) for s in snaps + [final]), "")

        # --- TERM=dumb: no escapes at all; erased with spaces.
        snaps, final, raw, status = tm.run("%s -pcap %s %s" % (bin_, big, ARGS), env={"TERM": "dumb"})
        expect("TERM=dumb: status 0", status == 0, "status %r" % status)
        expect("TERM=dumb: a progress line", any(PROGRESS.search(s) for s in snaps), "")
        expect("TERM=dumb: no escape sequence", b"\033" not in raw, repr(raw[:300]))
        expect("TERM=dumb: erased with spaces", re.search(rb"\r {40,}\r", raw), repr(raw[-300:]))
        summary_ok("TERM=dumb", final)

        # --- -progress=false on a terminal: no line; the summary still.
        snaps, final, raw, status = tm.run("%s -pcap %s %s -progress=false" % (bin_, big, ARGS))
        expect("-progress=false: status 0", status == 0, "status %r" % status)
        expect("-progress=false: no progress line", not any("pkt/s" in s for s in snaps) and b"pkt/s" not in raw,
               repr(raw[:300]))
        expect("-progress=false: no \\r but before \\n", not re.search(rb"\r(?!\n)", raw), repr(raw[:300]))
        expect("-progress=false: no escape sequence", b"\033" not in raw, repr(raw[:300]))
        summary_ok("-progress=false", final)

        # --- -stats_file on a terminal: the summary names it; it has the record.
        sf = os.path.join(tmp, "stats.json")
        snaps, final, raw, status = tm.run("%s -pcap %s %s -stats_file %s" % (bin_, big, ARGS, sf))
        expect("-stats_file: status 0", status == 0, "status %r" % status)
        summary_ok("-stats_file", final, sf)
        try:
            rec = json.loads(open(sf).read().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            rec = {}
        expect("-stats_file: the file holds the JSON record",
               rec.get("type") == "stats" and rec.get("packets") == rounds * len(packets), repr(rec)[:200])

        # --- Standard input on a terminal: nothing to measure, no line.
        snaps, final, raw, status = tm.run("%s -pcap - %s <%s" % (bin_, ARGS, big))
        expect("standard input: status 0", status == 0, "status %r" % status)
        expect("standard input: no progress line", b"pkt/s" not in raw, repr(raw[:300]))
        summary_ok("standard input", final)
    finally:
        tm.close()
        shutil.rmtree(tmp, ignore_errors=True)
    finish("progress")


if __name__ == "__main__":
    main()
