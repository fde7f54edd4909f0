package natstest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterName is the cluster name every node of Cluster shares.
const ClusterName = "jetplay"

// Account is the account clients use when the server has no accounts
// configured; the JetStream leader lookups take it.
const Account = server.DEFAULT_GLOBAL_ACCOUNT

// Cluster starts an n-node JetStream cluster in this process: each node
// listens on 127.0.0.1 with a free client port and a free route port, has its
// own server_name (n1, n2, ...) and a store in t.TempDir(), and routes to
// every node (a full mesh, as in examples/cluster/). It returns once a
// JetStream meta leader exists that knows all n peers and a client can read
// its account info, or fails the test after 30s. Every node is shut down when
// the test ends. Set NATS_LOGGING=debug to see the servers' logs.
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	if n < 1 {
		t.Fatalf("natstest.Cluster: n = %d, want at least 1", n)
	}
	// Route ports are picked before the nodes start (every node needs them
	// all), so another process may take one in between: then start again.
	var err error
	for range 3 {
		var servers []*server.Server
		servers, err = startCluster(t, n)
		if err == nil {
			t.Cleanup(func() {
				for _, s := range servers {
					s.Shutdown()
					s.WaitForShutdown()
				}
			})
			waitMetaLeader(t, servers, 30*time.Second)
			return servers
		}
	}
	t.Fatalf("natstest.Cluster: %v", err)
	return nil
}

func startCluster(t testing.TB, n int) ([]*server.Server, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	routes := make([]*url.URL, n)
	for i, p := range ports {
		routes[i] = &url.URL{Scheme: "nats-route", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p))}
	}
	servers := make([]*server.Server, 0, n)
	stop := func() {
		for _, s := range servers {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: t.TempDir(),
			Cluster: server.ClusterOpts{Name: ClusterName, Host: "127.0.0.1", Port: ports[i]},
			Routes:  routes, // a route to itself is ignored
			NoLog:   os.Getenv("NATS_LOGGING") != "debug", NoSigs: true,
		}
		s, err := server.NewServer(opts)
		if err != nil {
			stop()
			return nil, fmt.Errorf("nats-server n%d: %w", i+1, err)
		}
		if !opts.NoLog {
			s.ConfigureLogger()
		}
		go s.Start()
		servers = append(servers, s)
	}
	for _, s := range servers {
		if !s.ReadyForConnections(10 * time.Second) {
			stop()
			return nil, fmt.Errorf("nats-server %s not ready", s.Name())
		}
	}
	return servers, nil
}

// freePorts returns n TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, n)
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer func() { _ = l.Close() }() // held open until all n are picked, so they differ
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// waitMetaLeader waits until one running node is the JetStream meta leader
// and sees every running node as a peer, every node's routes are up, and a
// client of the leader gets its account info.
func waitMetaLeader(t testing.TB, servers []*server.Server, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		if l := MetaLeader(servers); l != nil {
			last = fmt.Sprintf("leader %s has peers %v", l.Name(), l.JetStreamClusterPeers())
			if len(l.JetStreamClusterPeers()) == len(servers) && routesUp(servers) && accountInfo(l) == nil {
				return
			}
		} else {
			last = "no meta leader"
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("JetStream cluster not ready after %s: %s", d, last)
}

func routesUp(servers []*server.Server) bool {
	for _, s := range servers {
		if s.NumRoutes() < len(servers)-1 {
			return false
		}
	}
	return true
}

func accountInfo(s *server.Server) error {
	nc, err := nats.Connect(s.ClientURL(), nats.Timeout(2*time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

// ClientURLs returns the client URLs of servers, comma separated, for
// nats.Connect: a client given the list reconnects to another node when its
// node goes away.
func ClientURLs(servers []*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// MetaLeader returns the running server that is the JetStream meta leader,
// or nil.
func MetaLeader(servers []*server.Server) *server.Server {
	for _, s := range servers {
		if s.Running() && s.JetStreamIsLeader() {
			return s
		}
	}
	return nil
}

// StreamLeader returns the running server that leads stream (in the default
// account), or nil while there is none.
func StreamLeader(servers []*server.Server, stream string) *server.Server {
	for _, s := range servers {
		if s.Running() && s.JetStreamIsStreamLeader(Account, stream) {
			return s
		}
	}
	return nil
}

// ConsumerLeader returns the running server that leads consumer of stream
// (in the default account), or nil while there is none.
func ConsumerLeader(servers []*server.Server, stream, consumer string) *server.Server {
	for _, s := range servers {
		if s.Running() && s.JetStreamIsConsumerLeader(Account, stream, consumer) {
			return s
		}
	}
	return nil
}
