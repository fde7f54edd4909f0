package publish

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesAUserSettingAlone(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	TuneGC("200")
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent = %d, want it untouched (100)", got)
	}
	TuneGC("")
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC, GC percent = %d, want %d", got, GCPercent)
	}
}
