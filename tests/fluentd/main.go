// fwdserver: a Fluentd Forward protocol server for pdnslog's tests.
//
// It runs the OpenTelemetry Collector's fluentforward receiver (a maintained
// implementation of the Forward protocol v1: Message, Forward,
// PackedForward and CompressedPackedForward modes, EventTime, and the
// `chunk` option answered with `ack`) and writes every log record it
// receives as one JSON line to -out:
//
//	{"tag":"sensor.service","time_ns":1700000000000000000,"record":{...}}
//
// record holds the event's fields with their msgpack types as the receiver
// saw them: strings as strings, integers as integers, booleans, null.
//
// -listen is a Unix socket path (or unix://PATH) or HOST:PORT.  Once it
// listens, the address is written to -ready.  SIGTERM or SIGINT stop it as a
// crashing server looks to its clients, without losing what it acknowledged:
// every connection and the listener are shut down at once (whatever a client
// sent that was not acknowledged yet is lost with them, and must be sent
// again), then the receiver's pipeline drains (no record for 300 ms), the
// output is synced and the process exits 0.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/fluentforwardreceiver"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

type sink struct {
	mu   sync.Mutex
	w    *bufio.Writer
	f    *os.File
	last time.Time
	n    int
}

func value(v pcommon.Value) interface{} {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeEmpty:
		return nil
	case pcommon.ValueTypeMap:
		m := map[string]interface{}{}
		v.Map().Range(func(k string, x pcommon.Value) bool {
			m[k] = value(x)
			return true
		})
		return m
	case pcommon.ValueTypeSlice:
		s := []interface{}{}
		for i := 0; i < v.Slice().Len(); i++ {
			s = append(s, value(v.Slice().At(i)))
		}
		return s
	case pcommon.ValueTypeBytes:
		return string(v.Bytes().AsRaw())
	}
	return fmt.Sprintf("unknown type %v", v.Type())
}

func (s *sink) consume(_ context.Context, ld plog.Logs) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				rec := map[string]interface{}{}
				tag := ""
				lr.Attributes().Range(func(key string, v pcommon.Value) bool {
					if key == "fluent.tag" {
						tag = v.Str()
					} else {
						rec[key] = value(v)
					}
					return true
				})
				if lr.Body().Type() != pcommon.ValueTypeEmpty {
					rec["message"] = value(lr.Body())
				}
				line, err := json.Marshal(map[string]interface{}{
					"tag": tag, "time_ns": lr.Timestamp().AsTime().UnixNano(), "record": rec,
				})
				if err != nil {
					return err
				}
				s.w.Write(line)
				s.w.WriteByte('\n')
				s.n++
			}
		}
	}
	s.last = time.Now()
	// Written through at once: what was consumed is in the file, whatever
	// happens to this process next.
	return s.w.Flush()
}

// shutdownSockets shuts down every socket of this process, the listener
// and the connections: their peers see the server go.
func shutdownSockets() {
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, e := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(target, "socket:") {
			continue
		}
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			syscall.Shutdown(fd, syscall.SHUT_RDWR)
		}
	}
}

func main() {
	listen := flag.String("listen", "", "Unix socket path (or unix://PATH) or HOST:PORT")
	out := flag.String("out", "", "file the records are appended to, one JSON line each")
	ready := flag.String("ready", "", "file written with the address once listening")
	lifetime := flag.Duration("lifetime", 10*time.Minute, "exit after this long whatever happens")
	flag.Parse()
	if *listen == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: fwdserver -listen ADDR -out FILE [-ready FILE]")
		os.Exit(2)
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := &sink{w: bufio.NewWriterSize(f, 1<<16), f: f, last: time.Now()}
	next, err := consumer.NewLogs(s.consume)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	factory := fluentforwardreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig().(*fluentforwardreceiver.Config)
	addr := *listen
	if strings.HasPrefix(addr, "/") {
		addr = "unix://" + addr
	}
	if path, ok := strings.CutPrefix(addr, "unix://"); ok {
		// A socket left by a server that stopped: a restart reuses the path.
		if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSocket != 0 {
			os.Remove(path)
		}
	}
	cfg.ListenAddress = addr
	ctx := context.Background()
	rcv, err := factory.CreateLogs(ctx, receivertest.NewNopSettings(factory.Type()), cfg, next)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := rcv.Start(ctx, componentHost{}); err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	if *ready != "" {
		os.WriteFile(*ready, []byte(*listen+"\n"), 0o644)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
	case <-time.After(*lifetime):
		fmt.Fprintln(os.Stderr, "fwdserver: lifetime over")
	}
	shutdownSockets()
	for {
		time.Sleep(50 * time.Millisecond)
		s.mu.Lock()
		quiet := time.Since(s.last) > 300*time.Millisecond
		s.mu.Unlock()
		if quiet {
			break
		}
	}
	s.mu.Lock()
	s.w.Flush()
	s.f.Sync()
	fmt.Fprintf(os.Stderr, "fwdserver: stopped after %d records\n", s.n)
	os.Exit(0)
}

type componentHost struct{}

func (componentHost) GetExtensions() map[component.ID]component.Component { return nil }
