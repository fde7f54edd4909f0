package cli

import (
	"runtime/debug"
	"testing"
)

func TestTunePublisherGCLeavesAUserSettingAlone(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	TunePublisherGC("200")
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent = %d, want it untouched (100)", got)
	}
	TunePublisherGC("")
	if got := debug.SetGCPercent(100); got != PublisherGCPercent {
		t.Errorf("without GOGC, GC percent = %d, want %d", got, PublisherGCPercent)
	}
}
