package node

import (
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/executor"
)

func TestInProcessFetchWait(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want time.Duration
	}{
		{name: "unset gets the short in-process wait", in: 0, want: InProcessFetchWait},
		{name: "set is kept", in: 3 * time.Second, want: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := inProcess(executor.Config{FetchWait: tt.in}, nil)
			if got.FetchWait != tt.want {
				t.Errorf("FetchWait = %v, want %v", got.FetchWait, tt.want)
			}
		})
	}
	if InProcessFetchWait >= time.Second {
		t.Errorf("InProcessFetchWait = %v: no shorter than the executor's default (1s)", InProcessFetchWait)
	}
}
