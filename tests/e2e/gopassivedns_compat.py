#!/usr/bin/python3
"""End-to-end: gopassivedns command lines run unchanged.

Each case is a command line (or environment) as a gopassivedns user has it:
gopassivedns's flag names and spellings (-flag value, -flag=value, Go's
booleans), its README's flags and its config.go's environment variables
(PDNS_DEV, PDNS_PCAP_FILE, PDNS_LOG_FILE, PDNS_LOG_AGE, PDNS_LOG_BACKUP,
PDNS_LOG_SIZE, PDNS_QUIET, PDNS_DEBUG, PDNS_GC_AGE, PDNS_GC_INTERVAL,
PDNS_THREADS, PDNS_PFRING, PDNS_NAME, PDNS_BPF, PDNS_SNAPLEN,
PDNS_STATSD_HOST, PDNS_STATSD_INTERVAL, PDNS_STATSD_PREFIX,
PDNS_SYSLOG_FACILITY, PDNS_SYSLOG_PRIORITY, PDNS_PROFILE_FILE,
PDNS_KAFKA_FLUSH_FREQ, ...), nothing of pdnslog's own.  Each must exit 0 and
do what it says: the same records as pdnslog's plain run, in the log file,
to statsd under gopassivedns's prefix, to syslog with gopassivedns's
facility names (the machine's /dev/log is a socket of this test's, in a
mount namespace of its own), the profile written, a live capture on lo
stopped by SIGTERM.  The Kafka lines are in tests/e2e/avro_kafka.py,
against the test broker.  -pfring (without PF_RING's libpcap) is the one
that is refused, as the README says.

usage: gopassivedns_compat.py PDNSLOG"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish, stats_of  # noqa: E402

PDNSLOG = os.path.abspath(sys.argv[1])
PCAP = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
TCP = os.path.join(top, "tests", "corpus", "pcaps", "gopassivedns__100_tcp_lookups.pcap")

# Every flag gopassivedns has (config.go, and gopacket's two assembly flags).
GOPASSIVEDNS_FLAGS = ["dev", "kafka_brokers", "kafka_topic", "kafka_flush_freq", "kafka_avro", "bpf", "pcap",
                      "logfile", "logMaxAge", "logMaxBackups", "logMaxSize", "quiet", "gc_age",
                      "gc_interval", "debug", "cpuprofile", "numprocs", "pfring", "name", "statsd_host",
                      "statsd_interval", "statsd_prefix", "syslog_facility", "syslog_priority", "config",
                      "snaplen", "assembly_debug_log", "assembly_memuse_log"]


def clean_env(extra=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("PDNS_")}
    e.update(extra or {})
    return e


def run(args, env=None, prefix=()):
    p = subprocess.run(list(prefix) + [PDNSLOG] + args, capture_output=True, text=True, timeout=120,
                       env=clean_env(env))
    return p.returncode, p.stdout, p.stderr


def records(text, sensor=None):
    out = []
    for line in text.splitlines():
        r = json.loads(line)
        if sensor is not None:
            r["sensor"] = sensor
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


class Listener:
    """Datagrams to a socket of ours, collected in a thread."""

    def __init__(self, family, address):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.got = []
        self.stop = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            try:
                self.got.append(self.sock.recv(65536))
            except socket.timeout:
                continue
            except OSError:
                return

    def close(self):
        time.sleep(0.3)
        self.stop = True
        self.thread.join()
        # What the thread had not read yet (it may lag on a loaded machine).
        self.sock.setblocking(False)
        while True:
            try:
                self.got.append(self.sock.recv(65536))
            except OSError:
                break
        self.sock.close()
        return self.got


def main():
    rc, out, err = run(["-h"])
    listed = [f for f in GOPASSIVEDNS_FLAGS if "\n  -%s " % f in out or "\n  -%s\n" % f in out]
    expect("-h lists every gopassivedns flag", rc == 0 and listed == GOPASSIVEDNS_FLAGS,
           str(sorted(set(GOPASSIVEDNS_FLAGS) - set(listed))))
    expect("-h: -statsd_interval defaults to 5 s, as gopassivedns's",
           "(default 5) [$PDNS_STATSD_INTERVAL]" in out.split("-statsd_interval", 1)[1].split("\n  -", 1)[0])

    rc, ref, err = run(["-pcap", PCAP, "-name", "s1"])
    expect("reference run", rc == 0 and len(ref.splitlines()) > 40, err[-300:])
    want = records(ref, "x")
    with tempfile.TemporaryDirectory() as tmp:
        # The README's flags, as its users write them.
        log = os.path.join(tmp, "dns.log")
        rc, out, err = run(["-pcap", PCAP, "-quiet", "-logfile", log, "-logMaxAge", "28", "-logMaxBackups", "3",
                            "-logMaxSize", "100"])
        with open(log) as f:
            got = f.read()
        expect("-pcap F -quiet -logfile L -logMaxAge 28 -logMaxBackups 3 -logMaxSize 100",
               rc == 0 and out == "" and records(got, "x") == want, "rc=%d %s" % (rc, err[-300:]))
        rc, out, err = run(["-pcap", PCAP, "-debug", "-gc_age", "-1m", "-gc_interval", "3m", "-numprocs", "8",
                            "-name", "sensor-a", "-snaplen", "4096", "-bpf", "port 53",
                            "-assembly_debug_log", "-assembly_memuse_log"])
        expect("-pcap F -debug -gc_age -1m -gc_interval 3m -numprocs 8 -name N -snaplen 4096 -bpf 'port 53' "
               "-assembly_debug_log -assembly_memuse_log",
               rc == 0 and records(out, "x") == want and all(json.loads(l)["sensor"] == "sensor-a"
                                                            for l in out.splitlines()),
               "rc=%d %s" % (rc, err[-300:]))
        rc, out, err = run(["-pcap=" + PCAP, "-quiet=false", "-numprocs=4", "-debug=false"])
        expect("-flag=value spellings, Go booleans", rc == 0 and records(out, "x") == want, err[-300:])
        for b in ("T", "TRUE", "True", "1", "t", "true"):
            rc, out, err = run([], env={"PDNS_PCAP_FILE": PCAP, "PDNS_QUIET": b})
            expect("PDNS_QUIET=%s (Go's strconv.ParseBool)" % b, rc == 0 and out == "", err[-200:])

        # -cpuprofile
        prof = os.path.join(tmp, "cpu.prof")
        rc, out, err = run(["-pcap", TCP, "-quiet", "-cpuprofile", prof])
        expect("-pcap F -quiet -cpuprofile P: the profile is written", rc == 0 and os.path.getsize(prof) > 0,
               err[-300:])

        # statsd with gopassivedns's prefix and interval.
        st = Listener(socket.AF_INET, ("127.0.0.1", 0))
        port = st.sock.getsockname()[1]
        rc, out, err = run(["-pcap", PCAP, "-quiet", "-statsd_host", "127.0.0.1:%d" % port,
                            "-statsd_interval", "5", "-statsd_prefix", "gopassivedns"])
        got = b"".join(st.close()).decode()
        expect("-statsd_host H:P -statsd_interval 5 -statsd_prefix gopassivedns: counters under gopassivedns.",
               rc == 0 and "gopassivedns.packets:" in got, "rc=%d %s %s" % (rc, got[:200], err[-200:]))

        # The environment, gopassivedns's variable names.
        st = Listener(socket.AF_INET, ("127.0.0.1", 0))
        port = st.sock.getsockname()[1]
        envlog = os.path.join(tmp, "env.log")
        env = {"PDNS_PCAP_FILE": PCAP, "PDNS_LOG_FILE": envlog, "PDNS_LOG_AGE": "28", "PDNS_LOG_BACKUP": "3",
               "PDNS_LOG_SIZE": "100", "PDNS_QUIET": "true", "PDNS_DEBUG": "false", "PDNS_GC_AGE": "-1m",
               "PDNS_GC_INTERVAL": "3m", "PDNS_THREADS": "8", "PDNS_NAME": "env-sensor", "PDNS_BPF": "port 53",
               "PDNS_SNAPLEN": "4096", "PDNS_PFRING": "false", "PDNS_STATSD_HOST": "127.0.0.1:%d" % port,
               "PDNS_STATSD_INTERVAL": "5", "PDNS_STATSD_PREFIX": "gopassivedns",
               "PDNS_PROFILE_FILE": os.path.join(tmp, "env.prof"), "PDNS_KAFKA_FLUSH_FREQ": "1000",
               "PDNS_CONFIG": ""}
        rc, out, err = run([], env=env)
        got = b"".join(st.close()).decode()
        with open(envlog) as f:
            logged = f.read()
        expect("gopassivedns's environment variables (%d)" % len(env),
               rc == 0 and out == "" and records(logged, "x") == want and
               all(json.loads(l)["sensor"] == "env-sensor" for l in logged.splitlines()) and
               "gopassivedns.packets:" in got and os.path.getsize(env["PDNS_PROFILE_FILE"]) > 0,
               "rc=%d %s" % (rc, err[-300:]))

        # syslog: /dev/log is this test's socket, in a mount namespace.
        devdir = os.path.join(tmp, "dev")
        os.mkdir(devdir)
        ns = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /dev && exec "$@"', devdir]
        for fac, pri, env in (("LOCAL0", "INFO", None), ("local0", "info", None),
                              (None, None, {"PDNS_SYSLOG_FACILITY": "LOCAL0", "PDNS_SYSLOG_PRIORITY": "INFO"})):
            sl = Listener(socket.AF_UNIX, os.path.join(devdir, "log"))
            args = ["-pcap", PCAP, "-quiet"] + (["-syslog_facility", fac, "-syslog_priority", pri] if fac else [])
            rc, out, err = run(args, env=env, prefix=ns)
            got = [g.decode() for g in sl.close()]
            os.unlink(os.path.join(devdir, "log"))
            what = "-syslog_facility %s -syslog_priority %s" % (fac, pri) if fac else "PDNS_SYSLOG_FACILITY=LOCAL0"
            expect("%s: every record to /dev/log as local0.info (<134>)" % what,
                   rc == 0 and len(got) == len(want) and all(g.startswith("<134>") for g in got) and
                   all('"level":"info"' in g for g in got), "rc=%d %d msgs %s %s" % (rc, len(got), got[:1], err[-300:]))

        # Live capture on an interface: -dev, and PDNS_DEV.
        for args, env in ((["-dev", "lo", "-quiet", "-numprocs", "2"], None),
                          ([], {"PDNS_DEV": "lo", "PDNS_QUIET": "true"})):
            p = subprocess.Popen([PDNSLOG] + args, env=clean_env(env), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
            expect("%s: live capture, SIGTERM, exit 0" % (" ".join(args) or "PDNS_DEV=lo"),
                   p.returncode == 0 and '"type":"stats"' in err, "rc=%d %s" % (p.returncode, err[-300:]))

        # -pfring without PF_RING's libpcap: refused, as documented.
        rc, out, err = run(["-pcap", PCAP, "-pfring"])
        expect("-pfring without PF_RING's libpcap: exit 2, says so", rc == 2 and "PF_RING" in err, err)
    finish("gopassivedns")


if __name__ == "__main__":
    main()
