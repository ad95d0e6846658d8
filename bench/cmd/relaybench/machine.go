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
	Date       string `json:"date"`
	Commit     string `json:"commit"`
	CPUs       int    `json:"cpus"`
	Go         string `json:"go"`
	FS         string `json:"fs"` // of the outbox directory
	LoadBefore string `json:"load_before"`
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
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadBefore = strings.Join(f[:3], " ")
		}
	}
	return m
}
