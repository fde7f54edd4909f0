package cli

import (
	"context"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

func TestConnect(t *testing.T) {
	s := natstest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := Connect(ctx, ConnectConfig{}); err == nil {
		t.Fatal("connected without a URL")
	}
	b, closeConn, err := Connect(ctx, ConnectConfig{URL: s.ClientURL(), Name: "test", Bus: bus.Config{History: 3}, Setup: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.NumClients(); got != 1 {
		t.Errorf("%d clients, want 1", got)
	}
	if got := b.Config().History; got != 3 {
		t.Errorf("History = %d, want 3 (the config given)", got)
	}
	if _, _, err := b.Status(ctx, job.NewRunID().Job(1)); err == nil {
		t.Error("a job that was never submitted has a status")
	}
	closeConn()
	for s.NumClients() != 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the connection is still open after closeConn")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
