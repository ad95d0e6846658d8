package relaytest

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// raceFlags are the flags of every race build of this module: Flux
// v0.65.1's 2019 Arrow trips Go's checkptr instrumentation, which -race
// turns on (see the Makefile).
var raceFlags = []string{"-race", "-gcflags=all=-d=checkptr=0"}

// ModuleRoot returns the directory of fluxpd's go.mod, as `go env GOMOD`
// sees it from the working directory.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is the go command on PATH?)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		return "", errors.New("go env GOMOD: not inside a Go module; run from the fluxpd checkout")
	}
	return filepath.Dir(gomod), nil
}

// Build runs `go build -o out pkg` in dir, with the race detector when
// race is true and with extra flags before the package. Its error quotes
// the go command's output.
func Build(dir, pkg, out string, race bool, extra ...string) error {
	args := []string{"build", "-o", out}
	if race {
		args = append(args, raceFlags...)
	}
	args = append(append(args, extra...), pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, buf.String())
	}
	return nil
}

// BuildFluxpd builds cmd/fluxpd of the module at root into dir and returns
// the binary's path.
func BuildFluxpd(root, dir string, race bool) (string, error) {
	out := filepath.Join(dir, "fluxpd")
	return out, Build(root, "./cmd/fluxpd", out, race)
}

// BuildUpstreamFlux builds bench/upstream/cmd/upstreamflux (stock Flux
// v0.65.1 with its own pagerduty package) into dir and returns the
// binary's path. -mod=mod as in bench/run.sh: bench/upstream uses this
// module through a replace, so a new requirement here can need a go.sum
// line there.
func BuildUpstreamFlux(root, dir string) (string, error) {
	out := filepath.Join(dir, "upstreamflux")
	return out, Build(filepath.Join(root, "bench", "upstream"), "./cmd/upstreamflux", out, false, "-mod=mod")
}
