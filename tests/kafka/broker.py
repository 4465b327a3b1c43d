#!/usr/bin/python3
"""A real single-node Apache Kafka broker (KRaft) on 127.0.0.1 for tests.

usage:
  broker.py [--lib LIBDIR] fetch
  broker.py [--lib LIBDIR] start DIR [--sasl] [--partitions N] [--port P]
                                     [--heap 512m] [--timeout 90] [--lifetime S]
  broker.py stop DIR [--kill] [--timeout 30]
  broker.py destroy DIR
  broker.py status DIR
  broker.py [--lib LIBDIR] selftest [--sasl] [--partitions N]

`start` prints KEY=VALUE lines (bootstrap=127.0.0.1:PORT, pid=..., and
bootstrap_sasl=... with --sasl) and writes DIR/bootstrap, DIR/bootstrap_sasl,
DIR/pid.  The broker logs to DIR/broker.log (JVM stdout/stderr go to
DIR/broker.out).  `stop` keeps DIR: a later `start DIR` reuses the same ports
and data without formatting again.  `destroy` stops and removes DIR.

From Python (tests/kafka on sys.path):
  from broker import Broker
  with Broker(dir, sasl=True, partitions=3) as b:
      b.bootstrap, b.bootstrap_sasl      # "127.0.0.1:PORT"
      b.stop(); b.start()                # restart: same port, same data
  # the JVM is stopped on leaving the block, exception or not

The jars come from `fetch` (Maven, tests/kafka/pom.xml) into LIBDIR, by default
build/kafka/lib under the repository root (or $PDNSLOG_KAFKA_LIB).  Standard
library only.
"""
import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
POM = os.path.join(HERE, "pom.xml")
DEFAULT_LIB = os.environ.get("PDNSLOG_KAFKA_LIB") or os.path.join(REPO, "build", "kafka", "lib")
HOST = "127.0.0.1"
SASL_USER, SASL_PASSWORD = "pdnslog", "secret"
JAVA = os.environ.get("JAVA", "/usr/bin/java")
MVN = os.environ.get("MVN", "/usr/bin/mvn")


class BrokerError(Exception):
    pass


# ---------------------------------------------------------------- fetch

def _pom_digest(version):
    h = hashlib.sha256()
    with open(POM, "rb") as f:
        h.update(f.read())
    h.update(("\0version=%s" % (version or "")).encode())
    return h.hexdigest()


def _kafka_jar(lib):
    try:
        names = os.listdir(lib)
    except OSError:
        return None
    for n in sorted(names):
        if n.startswith("kafka_2.13-") and n.endswith(".jar"):
            return os.path.join(lib, n)
    return None


def kafka_version(lib=None):
    """The broker version found in LIBDIR, as a tuple of ints (e.g. (4, 1, 1))."""
    jar = _kafka_jar(lib or DEFAULT_LIB)
    if not jar:
        raise BrokerError("no kafka_2.13-*.jar in %s: run `broker.py fetch`" % (lib or DEFAULT_LIB))
    v = os.path.basename(jar)[len("kafka_2.13-"):-len(".jar")]
    return tuple(int(x) if x.isdigit() else 0 for x in v.split("-")[0].split("."))


def fetch(lib=None, version=None, timeout=900, quiet=False):
    """Put the broker jars into LIBDIR (idempotent: a stamp holds the pom's digest).

    version overrides the pom's kafka.version.  Returns LIBDIR."""
    lib = os.path.abspath(lib or DEFAULT_LIB)
    stamp = os.path.join(lib, ".stamp")
    want = _pom_digest(version)
    parent = os.path.dirname(lib)
    os.makedirs(parent, exist_ok=True)
    with open(os.path.join(parent, ".%s.lock" % os.path.basename(lib)), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent test scripts fetch once
        try:
            with open(stamp) as f:
                if f.read().strip() == want and _kafka_jar(lib):
                    return lib
        except OSError:
            pass
        tmp = lib + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [MVN, "-q", "-B", "-f", POM, "dependency:copy-dependencies",
               "-DincludeScope=runtime", "-DoutputDirectory=" + tmp]
        if version:
            cmd.append("-Dkafka.version=" + version)
        if not quiet:
            print("fetch: %s" % " ".join(cmd), file=sys.stderr)
        try:
            r = subprocess.run(cmd, cwd=HERE, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            shutil.rmtree(tmp, ignore_errors=True)
            raise BrokerError("fetch: mvn did not finish within %d s" % timeout)
        if r.returncode != 0 or not _kafka_jar(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            raise BrokerError("fetch: mvn failed (status %d):\n%s"
                              % (r.returncode, r.stdout.decode(errors="replace")[-4000:]))
        with open(os.path.join(tmp, ".stamp"), "w") as f:
            f.write(want + "\n")
        shutil.rmtree(lib, ignore_errors=True)
        os.rename(tmp, lib)
    return lib


# ---------------------------------------------------------------- ports

def _port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # like the JVM's listeners: TIME_WAIT leftovers of a stopped broker are no obstacle
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_ports(n, avoid=()):
    """n distinct free TCP ports on 127.0.0.1.

    Chosen below the kernel's ephemeral range (default 32768-60999) so that
    no outgoing connection takes one as its source port while the broker is
    stopped between a stop and a restart."""
    lo, hi = 20000, 32000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            hi = min(hi, int(f.read().split()[0]) - 1)
    except (OSError, ValueError, IndexError):
        pass
    got = []
    rng = random.SystemRandom()
    for _ in range(500):
        if len(got) == n:
            break
        p = rng.randrange(lo, hi) if hi > lo else 0
        if p and (p in got or p in avoid or not _port_free(p)):
            continue
        if not p:  # no room below the ephemeral range: let the kernel choose
            s = socket.socket()
            s.bind((HOST, 0))
            p = s.getsockname()[1]
            s.close()
            if p in got or p in avoid:
                continue
        got.append(p)
    if len(got) != n:
        raise BrokerError("could not find %d free ports on %s" % (n, HOST))
    return got


# ---------------------------------------------------------------- a little Kafka protocol
# Just enough to check readiness without any client: ApiVersions v0, Metadata
# v4..v8 (not flexible), SaslHandshake v1, SaslAuthenticate v0.

def _str(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class _Conn:
    def __init__(self, addr, timeout):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            buf += chunk
        return buf

    def call(self, api_key, version, body):
        self.corr += 1
        hdr = struct.pack(">hhi", api_key, version, self.corr) + _str("pdnslog-test-broker")
        msg = hdr + body
        self.sock.sendall(struct.pack(">i", len(msg)) + msg)
        size, = struct.unpack(">i", self._recv(4))
        data = self._recv(size)
        corr, = struct.unpack(">i", data[:4])
        if corr != self.corr:
            raise ConnectionError("bad correlation id")
        return _Reader(data[4:])


class _Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.i)
        self.i += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.b[self.i:self.i + n].decode()
        self.i += n
        return s


def _api_versions(c):
    r = c.call(18, 0, b"")
    err = r.take(">h")
    if err:
        raise ConnectionError("ApiVersions error %d" % err)
    return {k: (lo, hi) for k, lo, hi in (r.take(">hhh") for _ in range(r.take(">i")))}


def _metadata(c, versions):
    lo, hi = versions.get(3, (0, -1))
    v = min(hi, 8)
    if v < max(lo, 4):
        raise ConnectionError("no usable Metadata version (%d..%d)" % (lo, hi))
    body = struct.pack(">i?", -1, False)  # all topics, no auto-creation
    if v >= 8:
        body += struct.pack(">??", False, False)
    r = c.call(3, v, body)
    r.take(">i")  # throttle_time_ms
    brokers = []
    for _ in range(r.take(">i")):
        node = r.take(">i")
        host = r.string()
        port = r.take(">i")
        r.string()  # rack
        brokers.append((node, host, port))
    return brokers


def probe(addr, timeout=3.0, sasl=None):
    """A real Metadata request to addr; returns the brokers [(id, host, port)].

    sasl=(user, password) authenticates with SASL/PLAIN first; a refusal
    raises PermissionError."""
    c = _Conn(addr, timeout)
    try:
        versions = _api_versions(c)
        if sasl:
            r = c.call(17, 1, _str("PLAIN"))
            err = r.take(">h")
            if err:
                raise ConnectionError("SaslHandshake error %d" % err)
            token = b"\0" + sasl[0].encode() + b"\0" + sasl[1].encode()
            try:
                r = c.call(36, 0, struct.pack(">i", len(token)) + token)
            except ConnectionError as e:
                raise PermissionError("SASL/PLAIN refused: %s" % e)
            err = r.take(">h")
            if err:
                raise PermissionError("SASL/PLAIN refused: error %d: %s" % (err, r.string()))
        return _metadata(c, versions)
    finally:
        c.close()


# ---------------------------------------------------------------- processes

def _proc_start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _is_our_java(pid, props):
    """True if pid is alive and is the JVM started on this props file."""
    if _proc_start_time(pid) is None:
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return props.encode() in args


def _tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------- the broker

class Broker:
    """One broker living in DIR (created if needed).

    partitions: partitions of auto-created topics; port: fixed PLAINTEXT port
    (default: a free one, kept in DIR/state.json across restarts); sasl: add
    a SASL_PLAINTEXT listener (PLAIN, pdnslog/secret); lifetime: seconds after
    which a watchdog stops a broker left running (0: none); tie_to_parent:
    the JVM gets SIGKILL if the process that started it dies (the default for
    the context manager, not for the CLI)."""

    def __init__(self, dir, lib=None, sasl=False, partitions=None, port=None, heap="512m",
                 start_timeout=90, stop_timeout=30, lifetime=0, tie_to_parent=True,
                 remove_on_exit=False, log_level="INFO"):
        self.dir = os.path.abspath(dir)
        self.lib = os.path.abspath(lib or DEFAULT_LIB)
        self.want_sasl, self.want_partitions, self.want_port = sasl, partitions, port
        self.heap, self.start_timeout, self.stop_timeout = heap, start_timeout, stop_timeout
        self.lifetime, self.tie_to_parent = lifetime, tie_to_parent
        self.remove_on_exit, self.log_level = remove_on_exit, log_level
        self.proc = None
        self.props = os.path.join(self.dir, "server.properties")
        self.log = os.path.join(self.dir, "broker.log")
        self.out = os.path.join(self.dir, "broker.out")
        self.state_file = os.path.join(self.dir, "state.json")
        self.state = self._load_state()

    # -- state
    def _load_state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _save_state(self):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1)
        os.replace(tmp, self.state_file)

    def _write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    @property
    def bootstrap(self):
        p = self.state.get("port")
        return "%s:%d" % (HOST, p) if p else None

    @property
    def bootstrap_sasl(self):
        p = self.state.get("sasl_port")
        return "%s:%d" % (HOST, p) if p and self.state.get("sasl") else None

    @property
    def pid(self):
        try:
            with open(os.path.join(self.dir, "pid")) as f:
                pid = int(f.read())
        except (OSError, ValueError):
            return None
        return pid if _is_our_java(pid, self.props) else None

    @property
    def running(self):
        if self.proc is not None and self.proc.poll() is not None:
            self.proc = None
        return self.pid is not None

    # -- configuration
    def _configure(self):
        os.makedirs(self.dir, exist_ok=True)
        st = self.state
        if self.want_port:
            st["port"] = self.want_port
        if self.want_partitions:
            st["partitions"] = self.want_partitions
        st.setdefault("partitions", 1)
        if self.want_sasl:
            st["sasl"] = True
        st.setdefault("sasl", False)
        taken = [st.get(k) for k in ("port", "controller_port", "sasl_port") if st.get(k)]
        for key in ("port", "controller_port") + (("sasl_port",) if st["sasl"] else ()):
            if not st.get(key):
                st[key] = free_ports(1, avoid=taken)[0]
                taken.append(st[key])
        if not st.get("cluster_id"):
            while True:  # a Kafka Uuid: 16 random bytes, url-safe base64, no padding
                cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
                if not cid.startswith("-"):
                    break
            st["cluster_id"] = cid
        self._save_state()
        version = kafka_version(self.lib)
        data = os.path.join(self.dir, "data")
        listeners = ["PLAINTEXT://%s:%d" % (HOST, st["port"])]
        if st["sasl"]:
            listeners.append("SASL_PLAINTEXT://%s:%d" % (HOST, st["sasl_port"]))
        lines = [
            "# written by tests/kafka/broker.py; rewritten at every start",
            "process.roles=broker,controller",
            "node.id=1",
            "listeners=%s,CONTROLLER://%s:%d" % (",".join(listeners), HOST, st["controller_port"]),
            "advertised.listeners=%s" % ",".join(listeners),
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
            "SASL_PLAINTEXT:SASL_PLAINTEXT",
            "log.dirs=%s" % data,
            "num.partitions=%d" % st["partitions"],
            "default.replication.factor=1",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "group.initial.rebalance.delay.ms=0",
            "num.network.threads=2",
            "num.io.threads=2",
            "num.recovery.threads.per.data.dir=1",
            "log.cleaner.dedupe.buffer.size=8388608",
            "log.cleaner.threads=1",
            "socket.request.max.bytes=104857600",
        ]
        if version >= (3, 9):  # dynamic quorum, formatted with --standalone
            lines.append("controller.quorum.bootstrap.servers=%s:%d" % (HOST, st["controller_port"]))
        else:
            lines.append("controller.quorum.voters=1@%s:%d" % (HOST, st["controller_port"]))
        if version >= (4, 0):
            lines += ["share.coordinator.state.topic.replication.factor=1",
                      "share.coordinator.state.topic.min.isr=1"]
        if st["sasl"]:
            lines += [
                "sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config="
                "org.apache.kafka.common.security.plain.PlainLoginModule required "
                'username="%s" password="%s" user_%s="%s";'
                % (SASL_USER, SASL_PASSWORD, SASL_USER, SASL_PASSWORD),
            ]
        self._write("server.properties", "\n".join(lines) + "\n")
        lvl = self.log_level
        self._write("log4j2.properties", "\n".join([
            "status = warn",
            "appender.file.type = File",
            "appender.file.name = FILE",
            "appender.file.fileName = %s" % self.log,
            "appender.file.append = true",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = %s" % lvl,
            "rootLogger.appenderRef.file.ref = FILE",
            # the config dumps and per-request chatter
            "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
            "logger.config.level = WARN",
            "logger.kconfig.name = kafka.server.KafkaConfig",
            "logger.kconfig.level = WARN",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "logger.appinfo.name = org.apache.kafka.common.utils.AppInfoParser",
            "logger.appinfo.level = WARN",
        ]) + "\n")
        self._write("log4j.properties", "\n".join([  # Kafka 3.x (reload4j)
            "log4j.rootLogger=%s, F" % lvl,
            "log4j.appender.F=org.apache.log4j.FileAppender",
            "log4j.appender.F.File=%s" % self.log,
            "log4j.appender.F.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.F.layout.ConversionPattern=[%d] %p %m (%c)%n",
            "log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN",
            "log4j.logger.kafka.request.logger=WARN",
        ]) + "\n")
        return data, version

    def _java(self, main, *args, heap=None):
        return [JAVA, "-Xms64m", "-Xmx" + (heap or self.heap), "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
                "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j2.configurationFile=" + os.path.join(self.dir, "log4j2.properties"),
                "-Dlog4j.configuration=file:" + os.path.join(self.dir, "log4j.properties"),
                "-Dkafka.logs.dir=" + self.dir,
                "-cp", os.path.join(self.lib, "*"), main] + list(args)

    def _format(self, data, version):
        if os.path.exists(os.path.join(data, "meta.properties")):
            return
        shutil.rmtree(data, ignore_errors=True)  # a half-done earlier format
        cmd = self._java("kafka.tools.StorageTool", "format", "-t", self.state["cluster_id"],
                         "-c", self.props, heap="256m")
        if version >= (3, 9):
            cmd.append("--standalone")
        with open(self.out, "ab") as out:
            out.write(b"--- format: " + " ".join(cmd).encode() + b"\n")
            out.flush()
            try:
                r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=120)
            except subprocess.TimeoutExpired:
                raise BrokerError("storage format timed out; see %s" % self.out)
        if r.returncode != 0:
            raise BrokerError("storage format failed (status %d); see %s:\n%s"
                              % (r.returncode, self.out, _tail(self.out, 15)))

    def start(self):
        """Start (or restart) the broker and wait until it answers Metadata."""
        if not _kafka_jar(self.lib):
            raise BrokerError("no broker jars in %s: run `tests/kafka/broker.py fetch`" % self.lib)
        if self.running:
            self._wait_ready(time.monotonic() + self.start_timeout)
            return self
        data, version = self._configure()
        self._format(data, version)
        for key in ("port", "controller_port", "sasl_port"):
            p = self.state.get(key)
            if p and not (key == "sasl_port" and not self.state["sasl"]) and not _port_free(p):
                raise BrokerError("port %d (%s) on %s is taken by another process" % (p, key, HOST))
        with open(self.out, "ab") as out:
            out.write(b"--- start %s\n" % time.strftime("%Y-%m-%d %H:%M:%S").encode())
            out.flush()
            preexec = _die_with_parent if self.tie_to_parent else None
            self.proc = subprocess.Popen(self._java("kafka.Kafka", self.props), cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                         start_new_session=True, preexec_fn=preexec)
        self._write("pid", "%d\n" % self.proc.pid)
        try:
            self._wait_ready(time.monotonic() + self.start_timeout)
        except BaseException:
            self.stop(kill=True)
            raise
        self._write("bootstrap", self.bootstrap + "\n")
        if self.bootstrap_sasl:
            self._write("bootstrap_sasl", self.bootstrap_sasl + "\n")
        if self.lifetime:
            subprocess.Popen([sys.executable, os.path.abspath(__file__), "_watchdog", self.dir,
                              str(self.proc.pid), str(self.lifetime)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        return self

    def _wait_ready(self, deadline):
        last = None
        while True:
            if not self.running:
                raise BrokerError("the broker exited during startup; see %s and %s:\n%s%s"
                                  % (self.log, self.out, _tail(self.log), _tail(self.out, 10)))
            try:
                brokers = probe(self.bootstrap, timeout=2)
                if any(p == self.state["port"] for _, _, p in brokers):
                    if self.state.get("sasl"):
                        probe(self.bootstrap_sasl, timeout=2, sasl=(SASL_USER, SASL_PASSWORD))
                    return
                last = "metadata lists no broker yet"
            except (OSError, struct.error) as e:
                last = "%s: %s" % (type(e).__name__, e)
            if time.monotonic() > deadline:
                raise BrokerError("the broker did not answer on %s within %d s (%s); see %s"
                                  % (self.bootstrap, self.start_timeout, last, self.log))
            time.sleep(0.25)

    def stop(self, kill=False, timeout=None):
        """SIGTERM (SIGKILL with kill=True or after timeout s); keeps DIR."""
        timeout = self.stop_timeout if timeout is None else timeout
        pid = self.pid
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + timeout
            while self._alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if self._alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + 10
                while self._alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
            self.proc = None
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(self.dir, "pid"))
        return self

    def _alive(self, pid):
        if self.proc is not None and self.proc.pid == pid:
            self.proc.poll()  # reap our own child
        return _is_our_java(pid, self.props)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if self.remove_on_exit:
                shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def __del__(self):
        # last resort for a Broker started from Python and dropped unstopped
        if getattr(self, "proc", None) is not None and self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.stop(kill=True, timeout=5)


def _die_with_parent():
    """In the child before exec: SIGKILL when the starting process dies."""
    import ctypes
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _watchdog(dir, pid, seconds):
    b = Broker(dir)
    deadline = time.monotonic() + seconds
    while b.pid == pid:
        if time.monotonic() > deadline:
            with open(b.out, "a") as f:
                f.write("--- watchdog: lifetime of %d s over, stopping\n" % seconds)
            b.stop()
            return
        time.sleep(1)


# ---------------------------------------------------------------- self test

def selftest(lib=None, sasl=True, partitions=3):
    """Start a broker in a temporary dir; check kcat, kafka-python, restart and SASL."""
    import tempfile
    tmp = tempfile.mkdtemp(prefix="pdnslog-kafka-")
    ok = True

    def run(cmd, data=None, timeout=60):
        r = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def check(what, cond, detail=""):
        nonlocal ok
        print("%s %s%s" % ("ok  " if cond else "FAIL", what, (": " + detail) if detail and not cond else ""))
        ok = ok and bool(cond)

    try:
        t0 = time.monotonic()
        with Broker(os.path.join(tmp, "b"), lib=lib, sasl=sasl, partitions=partitions) as b:
            print("started %s (kafka %s) in %.1f s" % (b.bootstrap, ".".join(map(str, kafka_version(b.lib))),
                                                     time.monotonic() - t0))
            msgs = ["m%d" % i for i in range(10)]
            kc = shutil.which("kcat")
            if kc:
                rc, _, err = run([kc, "-P", "-b", b.bootstrap, "-t", "t1"], "\n".join(msgs).encode() + b"\n")
                check("kcat -P", rc == 0, err)
                rc, out, err = run([kc, "-C", "-b", b.bootstrap, "-t", "t1", "-o", "beginning", "-e", "-q"])
                check("kcat -C -e", rc == 0 and sorted(out.split()) == msgs, err + out)
                # as pdnslog produces: idempotent, lz4
                rc, _, err = run([kc, "-P", "-b", b.bootstrap, "-t", "t3", "-X", "enable.idempotence=true",
                                  "-X", "compression.codec=lz4", "-X", "linger.ms=20"],
                                 "\n".join(msgs).encode() + b"\n")
                check("kcat -P idempotent lz4", rc == 0, err)
                rc, out, err = run([kc, "-C", "-b", b.bootstrap, "-t", "t3", "-o", "beginning", "-e", "-q"])
                check("kcat -C lz4", rc == 0 and sorted(out.split()) == msgs, err + out)
                rc, out, err = run([kc, "-L", "-b", b.bootstrap, "-t", "t1"])
                check("kcat -L: %d partitions" % partitions, "%d partitions" % partitions in out, out)
            else:
                print("skip kcat: not installed")
            try:
                import kafka  # python3-kafka
                import kafka.codec
            except ImportError:
                kafka = None
                print("skip kafka-python: not installed")
            if kafka:
                def kp_consume(topic, group=None):
                    c = kafka.KafkaConsumer(topic, bootstrap_servers=b.bootstrap, group_id=group,
                                            auto_offset_reset="earliest", consumer_timeout_ms=5000,
                                            request_timeout_ms=20000)
                    try:
                        return sorted(m.value.decode() for m in c)
                    finally:
                        c.close()
                try:
                    got = kp_consume("t1")
                    check("kafka-python consume (no group)", got == msgs, repr(got))
                    got = kp_consume("t1", group="g1")
                    check("kafka-python consume (group)", got == msgs, repr(got))
                    if kc and kafka.codec.has_lz4():
                        got = kp_consume("t3")
                        check("kafka-python consume lz4", got == msgs, repr(got))
                    elif kc:
                        print("skip kafka-python lz4: python3-lz4 not installed")
                    p = kafka.KafkaProducer(bootstrap_servers=b.bootstrap)
                    for m in msgs:
                        p.send("t2", m.encode())
                    p.flush(timeout=20)
                    p.close()
                    got = kp_consume("t2")
                    check("kafka-python produce", got == msgs, repr(got))
                except Exception as e:  # noqa: BLE001 - report and go on
                    check("kafka-python", False, "%s: %s" % (type(e).__name__, e))
            if sasl and kc:
                def ks(user, pw, *args):
                    return run([kc, "-b", b.bootstrap_sasl, "-X", "security.protocol=SASL_PLAINTEXT",
                                "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=" + user,
                                "-X", "sasl.password=" + pw, "-m", "10"] + list(args))
                rc, out, err = ks(SASL_USER, SASL_PASSWORD, "-C", "-t", "t1", "-o", "beginning", "-e", "-q")
                check("kcat SASL/PLAIN good password", rc == 0 and sorted(out.split()) == msgs, err)
                rc, out, err = ks(SASL_USER, "wrong", "-L")
                check("kcat SASL/PLAIN wrong password refused", rc != 0, out + err)
            if sasl:
                try:
                    probe(b.bootstrap_sasl, sasl=(SASL_USER, "wrong"))
                    check("probe SASL wrong password refused", False, "accepted")
                except PermissionError:
                    check("probe SASL wrong password refused", True)
            t0 = time.monotonic()
            b.stop()
            t1 = time.monotonic()
            b.start()
            print("restart: stop %.1f s, start %.1f s" % (t1 - t0, time.monotonic() - t1))
            if kc:
                rc, out, err = run([kc, "-C", "-b", b.bootstrap, "-t", "t1", "-o", "beginning", "-e", "-q"])
                check("data kept across restart", rc == 0 and sorted(out.split()) == msgs, err + out)
            pid = b.pid
        check("JVM gone after the with block", not _is_our_java(pid, b.props))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("selftest %s" % ("passed" if ok else "FAILED"))
    return ok


# ---------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default=None, help="jar directory (default %s)" % DEFAULT_LIB)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="resolve the jars with Maven")
    f.add_argument("--version", default=None, help="override kafka.version of pom.xml")
    s = sub.add_parser("start", help="start (or restart) the broker in DIR")
    s.add_argument("dir")
    s.add_argument("--sasl", action="store_true", help="also a SASL_PLAINTEXT listener")
    s.add_argument("--partitions", type=int, default=None, help="of auto-created topics (1)")
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--heap", default="512m")
    s.add_argument("--timeout", type=float, default=90)
    s.add_argument("--lifetime", type=float, default=3600,
                   help="stop the broker after this many seconds (0: never; default 3600)")
    for name in ("stop", "destroy"):
        p = sub.add_parser(name)
        p.add_argument("dir")
        p.add_argument("--timeout", type=float, default=30)
        if name == "stop":
            p.add_argument("--kill", action="store_true", help="SIGKILL at once (a crash)")
    p = sub.add_parser("status")
    p.add_argument("dir")
    t = sub.add_parser("selftest", help="start a broker and check kcat, kafka-python, SASL")
    t.add_argument("--sasl", action="store_true")
    t.add_argument("--partitions", type=int, default=3)
    w = sub.add_parser("_watchdog")
    w.add_argument("dir")
    w.add_argument("pid", type=int)
    w.add_argument("seconds", type=float)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "fetch":
            t0 = time.monotonic()
            lib = fetch(a.lib, version=a.version)
            print("lib=%s" % lib)
            print("kafka=%s" % ".".join(map(str, kafka_version(lib))), file=sys.stderr)
            print("fetch took %.1f s" % (time.monotonic() - t0), file=sys.stderr)
        elif a.cmd == "start":
            b = Broker(a.dir, lib=a.lib, sasl=a.sasl, partitions=a.partitions, port=a.port,
                       heap=a.heap, start_timeout=a.timeout, lifetime=a.lifetime,
                       tie_to_parent=False)
            t0 = time.monotonic()
            b.start()
            print("bootstrap=%s" % b.bootstrap)
            if b.bootstrap_sasl:
                print("bootstrap_sasl=%s" % b.bootstrap_sasl)
            print("pid=%d" % b.pid)
            print("log=%s" % b.log)
            print("started in %.1f s" % (time.monotonic() - t0), file=sys.stderr)
            b.proc = None  # leave it running
        elif a.cmd == "stop":
            Broker(a.dir).stop(kill=a.kill, timeout=a.timeout)
        elif a.cmd == "destroy":
            b = Broker(a.dir, stop_timeout=a.timeout)
            b.destroy()
        elif a.cmd == "status":
            b = Broker(a.dir)
            print("running=%s" % ("yes" if b.running else "no"))
            if b.bootstrap:
                print("bootstrap=%s" % b.bootstrap)
            if b.bootstrap_sasl:
                print("bootstrap_sasl=%s" % b.bootstrap_sasl)
            if b.pid:
                print("pid=%d" % b.pid)
            return 0 if b.running else 3
        elif a.cmd == "selftest":
            return 0 if selftest(a.lib, sasl=a.sasl, partitions=a.partitions) else 1
        elif a.cmd == "_watchdog":
            _watchdog(a.dir, a.pid, a.seconds)
    except BrokerError as e:
        print("broker.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
