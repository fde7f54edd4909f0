// Command floor measures what this machine allows, for bench/run to print
// next to each tool's time: SSH handshakes with golang.org/x/crypto/ssh
// against the fleet's sshd, exec sessions over connections already open,
// and how fast it forks and execs /bin/true. It prints one line of
// key=value pairs; "seconds" is the wall time of the measured work.
//
//	floor -mode handshake -fleet DIR -hosts N     dial+auth+exec true+close on N hosts at once
//	floor -mode rounds -fleet DIR -hosts N -rounds R   R rounds of one exec per host, over open connections
//	floor -mode fork -n COUNT                     fork+exec /bin/true COUNT times, GOMAXPROCS at once
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	mode := fs.String("mode", "handshake", "handshake, rounds or fork")
	fleet := fs.String("fleet", "", "fleet directory written by bench/fleet (known_hosts, id_ed25519)")
	user := fs.String("user", "jetplay-bench", "login user")
	hosts := fs.Int("hosts", 0, "hosts to use, from the start of known_hosts (0: all)")
	rounds := fs.Int("rounds", 1, "rounds of one exec per host (mode rounds)")
	n := fs.Int("n", 2000, "processes to start (mode fork)")
	conc := fs.Int("conc", 0, "concurrent workers (0: all hosts at once; mode fork: GOMAXPROCS)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *mode == "fork" {
		return forkRate(ctx, out, *n, *conc)
	}
	if *fleet == "" {
		return errors.New("-fleet is required")
	}
	addrs, err := readAddrs(filepath.Join(*fleet, "known_hosts"), *hosts)
	if err != nil {
		return err
	}
	cfg, err := clientConfig(*fleet, *user)
	if err != nil {
		return err
	}
	if *conc <= 0 {
		*conc = len(addrs)
	}
	switch *mode {
	case "handshake":
		start := time.Now()
		err := each(ctx, addrs, *conc, func(a string) error {
			c, err := dial(ctx, a, cfg)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }()
			return execTrue(c)
		})
		if err != nil {
			return err
		}
		d := time.Since(start)
		fmt.Fprintf(out, "mode=handshake hosts=%d seconds=%.3f per_second=%.1f\n", len(addrs), d.Seconds(), float64(len(addrs))/d.Seconds())
	case "rounds":
		clients := make([]*ssh.Client, len(addrs))
		err := each(ctx, addrs, *conc, func(a string) error {
			c, err := dial(ctx, a, cfg)
			if err != nil {
				return err
			}
			for i := range addrs {
				if addrs[i] == a {
					clients[i] = c
				}
			}
			return nil
		})
		defer func() {
			for _, c := range clients {
				if c != nil {
					_ = c.Close()
				}
			}
		}()
		if err != nil {
			return err
		}
		byAddr := map[string]*ssh.Client{}
		for i, a := range addrs {
			byAddr[a] = clients[i]
		}
		start := time.Now()
		for range *rounds {
			if err := each(ctx, addrs, *conc, func(a string) error { return execTrue(byAddr[a]) }); err != nil {
				return err
			}
		}
		d := time.Since(start)
		total := *rounds * len(addrs)
		fmt.Fprintf(out, "mode=rounds hosts=%d rounds=%d seconds=%.3f sessions_per_second=%.1f\n", len(addrs), *rounds, d.Seconds(), float64(total)/d.Seconds())
	default:
		return fmt.Errorf("unknown -mode %q", *mode)
	}
	return nil
}

// each runs fn on every address, conc at once, and returns the first error.
func each(ctx context.Context, addrs []string, conc int, fn func(string) error) error {
	sem := make(chan struct{}, conc)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, a := range addrs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(a); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", a, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func dial(ctx context.Context, addr string, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	cc, chans, reqs, err := ssh.NewClientConn(raw, addr, cfg)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	_ = raw.SetDeadline(time.Time{})
	return ssh.NewClient(cc, chans, reqs), nil
}

func execTrue(c *ssh.Client) error {
	s, err := c.NewSession()
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	return s.Run("true")
}

func clientConfig(fleet, user string) (*ssh.ClientConfig, error) {
	pem, err := os.ReadFile(filepath.Join(fleet, "id_ed25519"))
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		return nil, err
	}
	hk, err := knownhosts.New(filepath.Join(fleet, "known_hosts"))
	if err != nil {
		return nil, err
	}
	return &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hk,
		Timeout:         30 * time.Second,
	}, nil
}

// readAddrs returns the host:port of the first n lines of known_hosts
// ("[127.0.1.1]:2222 ssh-ed25519 ...").
func readAddrs(file string, n int) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && (n <= 0 || len(out) < n) {
		field, _, _ := strings.Cut(sc.Text(), " ")
		if field == "" {
			continue
		}
		host, port, err := net.SplitHostPort(strings.NewReplacer("[", "", "]", "").Replace(field))
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", file, field, err)
		}
		out = append(out, net.JoinHostPort(host, port))
	}
	if n > 0 && len(out) < n {
		return nil, fmt.Errorf("%s lists %d hosts, want %d", file, len(out), n)
	}
	return out, sc.Err()
}

// forkRate starts /bin/true n times, conc at once, and prints the rate.
func forkRate(ctx context.Context, out io.Writer, n, conc int) error {
	if conc <= 0 {
		conc = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	start := time.Now()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if err := exec.CommandContext(ctx, "/bin/true").Run(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	d := time.Since(start)
	fmt.Fprintf(out, "mode=fork n=%d conc=%d seconds=%.3f per_second=%.1f\n", n, conc, d.Seconds(), float64(n)/d.Seconds())
	return nil
}
