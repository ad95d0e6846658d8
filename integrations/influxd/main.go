// Command influxd-fluxpd is InfluxDB v1.8.10's influxd server with fluxpd's
// native pagerduty package linked in place of upstream Flux's.
//
// It mirrors github.com/influxdata/influxdb/cmd/influxd (v1.8.10) minimally:
// the "run" (default), "config" and "version" commands. Everything else —
// storage, HTTP API, InfluxQL, the Flux engine behind /api/v2/query and the
// rest of the Flux standard library — is stock InfluxDB and stock Flux
// v0.65.1. The only difference is which Go package registers the Flux
// package "pagerduty": this binary is linked against a copy of flux v0.65.1
// whose stdlib/packages.go lacks the single import of upstream pagerduty
// (see scripts/influxd-build.sh), and registers fluxpd's instead through
// the blank import below. "run" also validates FLUXPD_PAGERDUTY_URL and
// FLUXPD_PAGERDUTY_CHANGE_URL (the server's default URLs; a bad one stops
// the start) and sets lang.PrepareContext (fluxpd.go), so that every query
// carries its script's pagerduty options, those defaults and a reporter
// that writes failed sends to the server's log. It also opens the outbox
// (on by default at <parent of [data] dir>/fluxpd-outbox.db, outbox.go;
// FLUXPD_OUTBOX=PATH|off) and runs its background flusher while the
// server runs. All of that but the data dir, the logger and the
// lang.PrepareContext assignment is ../serverhost, shared with
// ../influxd2.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/influxdata/influxdb/cmd"
	"github.com/influxdata/influxdb/cmd/influxd/run"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fluxpd/fluxpd/integrations/serverhost"

	// fluxpd's native pagerduty package registers Flux package "pagerduty".
	_ "github.com/fluxpd/fluxpd/stdlib/pagerduty"

	// secrets.get reads the server's environment and $FLUXPD_SECRETS_FILE.
	_ "github.com/fluxpd/fluxpd/integrations/influxd/secrets"
)

// These variables are populated via the Go linker (see scripts/influxd-build.sh).
var (
	version = "unknown"
	commit  = "unknown"
	branch  = "unknown"
)

func main() {
	if err := runMain(os.Args[1:]...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// runMain determines and runs the command specified by the CLI args.
func runMain(args ...string) error {
	name, args := cmd.ParseCommandName(args)

	switch name {
	case "", "run":
		// Refuse to start with a bad default URL, before opening anything;
		// then open the outbox (on by default, next to the data directory):
		// one that cannot be opened stops the start too.
		fluxpd, err := serverhost.FromEnv(func() (string, bool) { return outboxDir(args) })
		if err != nil {
			return err
		}
		installHost(fluxpd)

		cmd := run.NewCommand()

		// Tell the server the build details.
		cmd.Version = version
		cmd.Commit = commit
		cmd.Branch = branch

		if err := cmd.Run(args...); err != nil {
			return fmt.Errorf("run: %s", err)
		}
		fluxpd.SetLogger(cmd.Logger)
		// fluxpd's metrics at the /metrics InfluxDB 1.8 serves (Prometheus'
		// default registry).
		if err := fluxpd.RegisterMetrics(prometheus.DefaultRegisterer); err != nil {
			fluxpd.Log.Error("pagerduty metrics: " + err.Error())
		}
		// Redeliver queued events in the background for the server's lifetime.
		stopOutbox := fluxpd.StartOutbox()
		defer stopOutbox()

		signalCh := make(chan os.Signal, 1)
		signal.Notify(signalCh, os.Interrupt, syscall.SIGTERM)
		cmd.Logger.Info("Listening for signals")

		// Block until one of the signals above is received.
		<-signalCh
		cmd.Logger.Info("Signal received, initializing clean shutdown...")
		go cmd.Close()

		// Block again until another signal is received, a shutdown timeout
		// elapses, or the Command is gracefully closed.
		cmd.Logger.Info("Waiting for clean shutdown...")
		select {
		case <-signalCh:
			cmd.Logger.Info("Second signal received, initializing hard shutdown")
		case <-time.After(30 * time.Second):
			cmd.Logger.Info("Time limit reached, initializing hard shutdown")
		case <-cmd.Closed:
			cmd.Logger.Info("Server shutdown completed")
		}

	case "config":
		if err := run.NewPrintConfigCommand().Run(args...); err != nil {
			return fmt.Errorf("config: %s", err)
		}

	case "version":
		return versionCommand(os.Stdout, os.Stderr, args)

	default:
		return fmt.Errorf("unknown command %q\nUsage: influxd-fluxpd [run|config|version] [flags]", name)
	}
	return nil
}

// versionCommand prints the InfluxDB version and build details.
func versionCommand(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "InfluxDB v%s (git: %s %s) with fluxpd native pagerduty\n", version, branch, commit)
	return nil
}
