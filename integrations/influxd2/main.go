// Command influxd2-fluxpd is InfluxDB v2.0.0-beta.8's influxd server with
// fluxpd's native pagerduty package linked in place of upstream Flux's.
//
// It is a copy of github.com/influxdata/influxdb/v2/cmd/influxd/main.go at
// v2.0.0-beta.8 (every command: run (default), version, generate, inspect,
// restore, migrate), with four changes:
//
//   - fluxpd's pagerduty package is linked (the blank import below); the
//     derived flux copy it is built against (scripts/flux-derive.sh) lacks
//     upstream's, so Flux package "pagerduty" is fluxpd's;
//   - "run" validates FLUXPD_PAGERDUTY_URL and FLUXPD_PAGERDUTY_CHANGE_URL
//     and refuses to start on a bad one, then installs lang.PrepareContext
//     (fluxpd.go), which gives every query its script's pagerduty options,
//     those server defaults, and a reporter that writes failed sends to the
//     server's log; it also opens the outbox (outbox.go: on by default
//     at <dir of --bolt-path>/fluxpd-outbox.db, FLUXPD_OUTBOX=PATH|off) and
//     runs its background flusher for the server's lifetime (all of it
//     but the bolt path, the logger and the lang.PrepareContext assignment
//     is ../serverhost, shared with ../influxd);
//   - the version says what it is: 2.0.0-beta.8+fluxpd (ldflags may set it);
//   - Flux's runtime.version() reports the derived Flux (fluxpdruntime).
//
// Everything else — storage, the HTTP API, tasks, checks, notification
// rules and endpoints, org secrets and the rest of the Flux standard library
// — is stock InfluxDB v2.0.0-beta.8 and stock Flux v0.65.1.
package main

import (
	"context"
	"fmt"
	_ "net/http/pprof"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/influxdb/v2"
	"github.com/influxdata/influxdb/v2/cmd/influxd/generate"
	"github.com/influxdata/influxdb/v2/cmd/influxd/inspect"
	"github.com/influxdata/influxdb/v2/cmd/influxd/launcher"
	"github.com/influxdata/influxdb/v2/cmd/influxd/migrate"
	"github.com/influxdata/influxdb/v2/cmd/influxd/restore"
	"github.com/influxdata/influxdb/v2/kit/signals"
	_ "github.com/influxdata/influxdb/v2/query/builtin"
	"github.com/influxdata/influxdb/v2/telemetry"
	_ "github.com/influxdata/influxdb/v2/tsdb/tsi1"
	_ "github.com/influxdata/influxdb/v2/tsdb/tsm1"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/fluxpd/fluxpd/integrations/serverhost"

	// fluxpd's native pagerduty package registers Flux package "pagerduty".
	_ "github.com/fluxpd/fluxpd/stdlib/pagerduty"

	// runtime.version() names the derived Flux.
	_ "github.com/fluxpd/fluxpd/integrations/influxd2/fluxpdruntime"
)

// These variables are populated via the Go linker (see scripts/influxd2-build.sh).
var (
	version = "2.0.0-beta.8+fluxpd"
	commit  = "none"
	date    = fmt.Sprint(time.Now().UTC().Format(time.RFC3339))
)

var rootCmd = &cobra.Command{
	Use:   "influxd",
	Short: "Influx Server (InfluxDB 2.0.0-beta.8 with fluxpd's native pagerduty)",
}

func init() {
	influxdb.SetBuildInfo(version, commit, date)
	viper.SetEnvPrefix("INFLUXD")
	viper.AutomaticEnv()
	viper.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	rootCmd.InitDefaultHelpCmd()
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the influxd server version",
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Printf("InfluxDB %s (git: %s) build_date: %s\n", version, commit, date)
			fmt.Printf("with fluxpd's native pagerduty on Flux %s\n", fluxVersion)
		},
	})
	rootCmd.AddCommand(newRunCommand())
	rootCmd.AddCommand(generate.Command)
	rootCmd.AddCommand(inspect.NewCommand())
	rootCmd.AddCommand(restore.Command)
	rootCmd.AddCommand(migrate.Command)

	// TODO: this should be removed in the future: https://github.com/influxdata/influxdb/issues/16220
	if os.Getenv("QUERY_TRACING") == "1" {
		flux.EnableExperimentalTracing()
	}
}

// newRunCommand is launcher.NewCommand of v2.0.0-beta.8, through the
// launcher's exported API so that fluxpd can reach the server's logger once
// it exists. Flags are parsed by the launcher's own command (the same flags
// and INFLUXD_* variables as stock).
func newRunCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "run",
		Short:              "Start the influxd server (default)",
		DisableFlagParsing: true,
		Run: func(cmd *cobra.Command, args []string) {
			for _, a := range args {
				if a == "-h" || a == "--help" {
					_ = launcher.NewCommand().Help()
					return
				}
			}
			// Refuse to start with a bad default URL, before opening anything;
			// then open the outbox (on by default, next to --bolt-path): one
			// that cannot be opened stops the start too.
			fluxpd, err := serverhost.FromEnv(func() (string, bool) { return outboxDir(args) })
			if err != nil {
				fmt.Fprintln(os.Stderr, "influxd: "+err.Error())
				os.Exit(1)
			}
			installHost(fluxpd)

			// exit with SIGINT and SIGTERM
			ctx := context.Background()
			ctx = signals.WithStandardSignals(ctx)

			l := launcher.NewLauncher()
			if err := l.Run(ctx, args...); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			} else if !l.Running() {
				os.Exit(1)
			}
			fluxpd.SetLogger(l.Log())
			// fluxpd's metrics at the server's own /metrics.
			if err := fluxpd.RegisterMetrics(l.Registry()); err != nil {
				fluxpd.Log.Error("pagerduty metrics: " + err.Error())
			}
			// Redeliver queued events in the background for the server's lifetime.
			stopOutbox := fluxpd.StartOutbox()

			var wg sync.WaitGroup
			if !l.ReportingDisabled() {
				reporter := telemetry.NewReporter(l.Log(), l.Registry())
				reporter.Interval = 8 * time.Hour
				wg.Add(1)
				go func() {
					defer wg.Done()
					reporter.Report(ctx)
				}()
			}

			<-ctx.Done()

			// Attempt clean shutdown.
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			l.Shutdown(ctx)
			wg.Wait()
			stopOutbox()
		},
	}
}

// find determines the default behavior when running influxd.
// Specifically, find will return the influxd run command if no sub-command
// was specified.
func find(args []string) *cobra.Command {
	cmd, _, err := rootCmd.Find(args)
	if err == nil && cmd == rootCmd {
		// Execute the run command if no sub-command is specified
		run := newRunCommand()
		run.SetArgs(args)
		return run
	}

	return rootCmd
}

func main() {
	cmd := find(os.Args[1:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}
