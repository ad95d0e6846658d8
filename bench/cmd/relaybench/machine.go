package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// machine describes where a run happened: the figures depend on it.
type machine struct {
	Date   string `json:"date"`
	Commit string `json:"commit"`
	CPUs   int    `json:"cpus"`
	Go     string `json:"go"`
	FS     string `json:"fs"` // of the outbox directory
	// FsyncP50us and FsyncP99us are the latency of writing a page and
	// fdatasync(2) in the outbox directory, in µs: what a commit's fsync
	// costs there, which bounds what group commit can save.
	FsyncP50us float64 `json:"fsync_p50_us"`
	FsyncP99us float64 `json:"fsync_p99_us"`
	LoadBefore string  `json:"load_before"`
}

// fsyncProbes is how many page writes and fdatasyncs the probe times.
const fsyncProbes = 500

// probeFsync times fsyncProbes page writes, each followed by fdatasync,
// in a scratch file of dir.
func probeFsync(dir string) (p50, p99 time.Duration, err error) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, os.Getpagesize())
	lat := make([]time.Duration, 0, fsyncProbes)
	for i := range fsyncProbes {
		t0 := time.Now()
		if _, err := f.WriteAt(page, int64(i%64*len(page))); err != nil {
			return 0, 0, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return 0, 0, err
		}
		lat = append(lat, time.Since(t0))
	}
	return percentile(lat, 50), percentile(lat, 99), nil
}

// Filesystem magic numbers (statfs(2)) of the file systems a bench may
// run on.
var fsNames = map[int64]string{
	0xEF53:     "ext4",
	0x58465342: "xfs",
	0x9123683E: "btrfs",
	0x01021994: "tmpfs (an fsync costs nothing: the commit comparison means nothing)",
	0x794C7630: "overlayfs",
	0x2FC12FC1: "zfs",
}

func describeMachine(dir string) machine {
	m := machine{
		Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), CPUs: runtime.NumCPU(), Go: runtime.Version(),
		Commit: "unknown", FS: "unknown", LoadBefore: "unknown",
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err == nil {
		if name, ok := fsNames[int64(st.Type)]; ok {
			m.FS = name
		}
	}
	if p50, p99, err := probeFsync(dir); err == nil {
		m.FsyncP50us, m.FsyncP99us = us(p50), us(p99)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadBefore = strings.Join(f[:3], " ")
		}
	}
	return m
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
