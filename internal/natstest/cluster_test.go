package natstest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/natstest"
)

// TestClusterServesR3StreamAcrossNodes: the three nodes form one JetStream
// cluster; an R3 stream made through one node is readable through another,
// and survives the loss of its leader.
func TestClusterServesR3StreamAcrossNodes(t *testing.T) {
	t.Parallel()
	servers := natstest.Cluster(t, 3)
	names := map[string]bool{}
	for _, s := range servers {
		names[s.Name()] = true
		if !s.JetStreamIsClustered() {
			t.Errorf("%s: JetStream not clustered", s.Name())
		}
		if s.ClusterName() != natstest.ClusterName {
			t.Errorf("%s: cluster name %q", s.Name(), s.ClusterName())
		}
	}
	if len(names) != 3 {
		t.Fatalf("server names not unique: %v", names)
	}
	urls := natstest.ClientURLs(servers)
	if n := len(strings.Split(urls, ",")); n != 3 {
		t.Fatalf("ClientURLs = %q: %d URLs", urls, n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	js := connect(t, servers[0].ClientURL())
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.1", []byte("one")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "stream leader", func() bool { return natstest.StreamLeader(servers, "T") != nil })
	l := natstest.StreamLeader(servers, "T")
	l.Shutdown()
	l.WaitForShutdown()

	js2 := connect(t, urls) // fails over past the dead node
	waitFor(t, 30*time.Second, "new stream leader", func() bool { return natstest.StreamLeader(servers, "T") != nil })
	var msg *jetstream.RawStreamMsg
	waitFor(t, 30*time.Second, "message read after failover", func() bool {
		s, err := js2.Stream(ctx, "T")
		if err != nil {
			return false
		}
		msg, err = s.GetMsg(ctx, 1)
		return err == nil
	})
	if string(msg.Data) != "one" {
		t.Fatalf("message = %q", msg.Data)
	}
	if _, err := js2.Publish(ctx, "t.2", []byte("two")); err != nil {
		t.Fatalf("publish with two nodes left: %v", err)
	}
}

func connect(t *testing.T, urls string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// waitFor polls cond every 50ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
