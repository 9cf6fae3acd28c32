package browsertest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// killLeftovers kills the processes whose command line names dataDir as
// their --user-data-dir (the browser's helpers: zygote, renderers, the
// network service, which can outlive a browser that was killed) until a few
// looks in a row find none, and returns how many it killed. It reads /proc,
// so elsewhere than on Linux it finds nothing.
func killLeftovers(dataDir string) int {
	const (
		quietLooks = 3
		pause      = 20 * time.Millisecond
		limit      = 5 * time.Second
	)
	killed := 0
	deadline := time.Now().Add(limit)
	for quiet := 0; quiet < quietLooks && time.Now().Before(deadline); {
		pids := processesUsing(dataDir)
		if len(pids) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil && p.Kill() == nil {
				killed++
			}
		}
		time.Sleep(pause) // a helper may fork as its parent dies
	}
	return killed
}

// processesUsing returns the ids of the live processes whose command line
// holds the argument --user-data-dir=dataDir.
func processesUsing(dataDir string) []int {
	want := []byte("--user-data-dir=" + dataDir)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for arg := range bytes.SplitSeq(cmdline, []byte{0}) {
			if bytes.Equal(arg, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
