package executor_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
)

// A stop that comes before the executor has set up (its consumer not yet
// looked up) is still a stop: Run returns nil, as after a stop while
// consuming. Seen as a benchmark failure when four executors were started
// for a handful of jobs the first ones had already finished.
func TestRunStoppedBeforeItStartedReturnsNil(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, time.Minute, bus.Config{})
	var runs atomic.Int32
	ex, err := executor.New(executor.Config{Bus: bs, Name: "stopped", Dialer: countingDialer{&runs}, Grace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	stopped, stop := context.WithCancel(ctx)
	stop()
	if err := ex.Run(stopped); err != nil {
		t.Fatalf("Run with a stopped context: %v, want nil", err)
	}
}
