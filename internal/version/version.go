// Package version tells which fluxpd this is and which Flux it runs on.
package version

import "runtime/debug"

// Version is fluxpd's version. Release builds set it with
// -ldflags "-X github.com/fluxpd/fluxpd/internal/version.Version=v1.2.3".
var Version = "0.1.0-dev"

// UserAgent is the User-Agent header fluxpd sends to PagerDuty.
func UserAgent() string { return "fluxpd/" + Version }

// Flux returns the version of github.com/influxdata/flux linked into the
// running binary, or "unknown" when the build carries no module information.
func Flux() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/influxdata/flux" {
			if dep.Replace != nil {
				return dep.Replace.Version + " (replaced)"
			}
			return dep.Version
		}
	}
	return "unknown"
}
