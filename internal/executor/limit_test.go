package executor

import (
	"context"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

func TestPackageJobsTakeOneSlotPerHost(t *testing.T) {
	e := &Executor{cfg: Config{PackageLimit: 1}, limits: newHostLimiter()}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	apt := &job.Task{Host: "h1", Module: "apt"}
	rel, err := e.hostSlots(ctx, apt)
	if err != nil {
		t.Fatal(err)
	}
	// Another host and a non-package job on the same host go ahead.
	for _, other := range []*job.Task{{Host: "h2", Module: "apt"}, {Host: "h1", Module: "command"}} {
		r, err := e.hostSlots(ctx, other)
		if err != nil {
			t.Fatalf("%s %s blocked: %v", other.Host, other.Module, err)
		}
		r()
	}
	// A second package job on h1 waits until the first releases.
	if _, err := e.hostSlots(ctx, &job.Task{Host: "h1", Module: "dnf"}); err == nil {
		t.Fatal("second package job on h1 did not wait")
	}
	rel()
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	r, err := e.hostSlots(ctx2, &job.Task{Host: "h1", Module: "dnf"})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	r()
}
