package conn

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/sshtest"
)

// The OpenSSH benchmarks of ssh_bench_test.go log in as the current user,
// whose login shell may read a heavy ~/.bashrc per session (root's runs
// pyenv init here: about 350 ms). These log in as sshdtest.TestUser
// (/bin/sh, empty home): what a session costs on a clean host.

func BenchmarkSSHHandshakeCleanUser(b *testing.B) {
	srv := sshdtest.Start(b, sshdtest.Options{User: sshdtest.TestUser})
	ctx := context.Background()
	tgt := realTarget(srv.Hosts[0])
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		p := benchPool(b, srv)
		if res, err := p.Conn("h", tgt).Run(ctx, Command{Argv: []string{"true"}}); err != nil || res.RC != 0 {
			b.Fatal(res, err)
		}
		_ = p.Close()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "handshakes/s")
}

func BenchmarkSSHSessionPooledCleanUser(b *testing.B) {
	srv := sshdtest.Start(b, sshdtest.Options{User: sshdtest.TestUser})
	p := benchPool(b, srv)
	defer func() { _ = p.Close() }()
	c := p.Conn("h", realTarget(srv.Hosts[0]))
	ctx := context.Background()
	if _, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if res, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil || res.RC != 0 {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sessions/s")
	if h := p.Stats().Handshakes; h != 1 {
		b.Fatalf("%d handshakes", h)
	}
}

// BenchmarkSSHFanOutCleanUser runs one command on each of 16 loopback
// addresses of one sshd per iteration, over pooled connections (dialed
// before the timer): the warm fan-out.
func BenchmarkSSHFanOutCleanUser(b *testing.B) {
	addrs := make([]string, 16)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("127.0.2.%d", i+1)
	}
	srv := sshdtest.Start(b, sshdtest.Options{User: sshdtest.TestUser, Addrs: addrs})
	p := benchPool(b, srv)
	defer func() { _ = p.Close() }()
	ctx := context.Background()
	var conns []Conn
	for i, h := range srv.Hosts {
		conns = append(conns, p.Conn(fmt.Sprintf("h%d", i), realTarget(h)))
	}
	fan := func() {
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil || res.RC != 0 {
					b.Error(res, err)
				}
			}()
		}
		wg.Wait()
	}
	fan()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		fan()
	}
	b.ReportMetric(float64(b.N*len(conns))/time.Since(start).Seconds(), "sessions/s")
}

// BenchmarkSSHSessionPooledInProcessParallel is the in-process server with 8
// sessions at once on one pooled connection: the client side's cost per
// session when the server costs nothing.
func BenchmarkSSHSessionPooledInProcessParallel(b *testing.B) {
	srv := sshtest.New(b, echoHandler)
	p, err := NewSSHPool(SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	c := p.Conn("h", fakeTarget(srv))
	ctx := context.Background()
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sessions/s")
}

// BenchmarkSSHDetachedJobsCleanUser runs 20 detached jobs of `sleep 0.5` at
// once on one pooled connection (MaxSessions 10) per iteration and reports
// the wall time of a batch: 0.5 s plus what starting, waiting and fetching
// the results cost. Jobs that each held a session would run in waves of 9.
func BenchmarkSSHDetachedJobsCleanUser(b *testing.B) {
	const jobs = 20
	srv := sshdtest.Start(b, sshdtest.Options{User: sshdtest.TestUser, CleanHome: true})
	p := benchPool(b, srv)
	defer func() { _ = p.Close() }()
	c := p.conn("h", realTarget(srv.Hosts[0]))
	ctx := context.Background()
	if _, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for it := range b.N {
		var wg sync.WaitGroup
		for i := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("r0123456789abcdef04.%04d%04d", it, i)
				res, err := c.Run(ctx, Command{Argv: []string{"sleep", "0.5"}, Detach: true, JobID: id})
				if err != nil || res.RC != 0 {
					b.Error(res, err)
				}
				if err := c.Forget(ctx, id); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/batch")
}
