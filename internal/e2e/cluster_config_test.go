package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

// TestClusterConfigsLoad: nats.conf and the three node configs of
// examples/cluster/ load with nats-server's own parser, and the nodes form
// one cluster: unique names, ports and stores, the same cluster name, and
// routes to all three route ports.
func TestClusterConfigsLoad(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	if _, err := server.ProcessConfigFile(filepath.Join(root, "nats.conf")); err != nil {
		t.Fatalf("nats.conf: %v", err)
	}
	wantRoutes := map[string]bool{"127.0.0.1:6222": true, "127.0.0.1:6223": true, "127.0.0.1:6224": true}
	names, stores := map[string]bool{}, map[string]bool{}
	for i := 1; i <= 3; i++ {
		file := filepath.Join(root, "examples", "cluster", fmt.Sprintf("node%d.conf", i))
		o, err := server.ProcessConfigFile(file)
		if err != nil {
			t.Fatalf("node%d.conf: %v", i, err)
		}
		if o.Host != "127.0.0.1" || o.Port != 4221+i {
			t.Errorf("node%d.conf: listen %s:%d, want 127.0.0.1:%d", i, o.Host, o.Port, 4221+i)
		}
		if o.Cluster.Name != "jetplay" || o.Cluster.Host != "127.0.0.1" || o.Cluster.Port != 6221+i {
			t.Errorf("node%d.conf: cluster %q on %s:%d, want jetplay on 127.0.0.1:%d", i, o.Cluster.Name, o.Cluster.Host, o.Cluster.Port, 6221+i)
		}
		if !o.JetStream || o.StoreDir != fmt.Sprintf("./data/node%d", i) {
			t.Errorf("node%d.conf: jetstream %v store %q", i, o.JetStream, o.StoreDir)
		}
		got := map[string]bool{}
		for _, r := range o.Routes {
			got[r.Host] = true
		}
		if len(got) != len(wantRoutes) {
			t.Errorf("node%d.conf: routes %v, want %v", i, got, wantRoutes)
		}
		for r := range wantRoutes {
			if !got[r] {
				t.Errorf("node%d.conf: no route to %s", i, r)
			}
		}
		if names[o.ServerName] || o.ServerName == "" {
			t.Errorf("node%d.conf: server_name %q not unique", i, o.ServerName)
		}
		names[o.ServerName] = true
		stores[o.StoreDir] = true
	}
	if len(stores) != 3 {
		t.Errorf("store dirs not unique: %v", stores)
	}
}
