package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// Environment variables naming the profiles a command writes (read by
// cmd/*, passed to StartProfiles).
const (
	// EnvCPUProfile names the file a CPU profile of the whole run goes to.
	EnvCPUProfile = "JETPLAY_CPUPROFILE"
	// EnvMemProfile names the file the heap profile goes to at exit (after a
	// GC; it holds both in-use and all-time allocation samples).
	EnvMemProfile = "JETPLAY_MEMPROFILE"
)

// StartProfiles starts a CPU profile into cpuFile and arranges a heap
// profile into memFile, each only when its name is not empty. The returned
// stop ends the CPU profile and writes the heap profile; call it once,
// before the process exits. A profile that cannot be written is reported on
// stderr and skipped: profiling never changes a command's outcome.
func StartProfiles(cpuFile, memFile string, stderr io.Writer) (stop func()) {
	var cpu *os.File
	if cpuFile != "" {
		f, err := os.Create(cpuFile)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				_ = f.Close()
			} else {
				cpu = f
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", EnvCPUProfile, err)
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", EnvCPUProfile, err)
			}
		}
		if memFile != "" {
			if err := writeHeapProfile(memFile); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", EnvMemProfile, err)
			}
		}
	}
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC() // up-to-date in-use figures
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
