package conn

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/sshtest"
)

// Benchmarks against the real OpenSSH server: what a fresh connection costs
// (TCP dial + key exchange + auth + one exec) against one more session on a
// pooled connection.

func benchPool(b *testing.B, srv *sshdtest.Server) *SSHPool {
	b.Helper()
	p, err := NewSSHPool(SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkSSHHandshake(b *testing.B) {
	srv := sshdtest.Start(b, sshdtest.Options{})
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

func BenchmarkSSHSessionPooled(b *testing.B) {
	srv := sshdtest.Start(b, sshdtest.Options{})
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

func BenchmarkSSHSessionPooledParallel(b *testing.B) {
	srv := sshdtest.Start(b, sshdtest.Options{})
	p := benchPool(b, srv)
	defer func() { _ = p.Close() }()
	c := p.Conn("h", realTarget(srv.Hosts[0]))
	ctx := context.Background()
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil || res.RC != 0 {
				b.Error(res, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sessions/s")
}

// The same against the in-process server: the protocol cost alone, without
// sshd's fork and the remote login shell's startup files.

func BenchmarkSSHHandshakeInProcess(b *testing.B) {
	srv := sshtest.New(b, echoHandler)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		p, err := NewSSHPool(SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true, Logger: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Conn("h", fakeTarget(srv)).Run(ctx, Command{Argv: []string{"true"}}); err != nil {
			b.Fatal(err)
		}
		_ = p.Close()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "handshakes/s")
}

func BenchmarkSSHSessionPooledInProcess(b *testing.B) {
	srv := sshtest.New(b, echoHandler)
	p, err := NewSSHPool(SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	c := p.Conn("h", fakeTarget(srv))
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := c.Run(ctx, Command{Argv: []string{"true"}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sessions/s")
}
