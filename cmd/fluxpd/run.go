package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/dependencies/filesystem"
	fluxhttp "github.com/influxdata/flux/dependencies/http"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/secrets"
	"github.com/fluxpd/fluxpd/stdlib/lazy" // the Flux stdlib with our pagerduty, finalized on first run
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// newLiveClient returns the HTTP client of --live runs; tests replace it
// with one that refuses every address but loopback, so that no test can
// reach PagerDuty even if a script's URL option were lost.
var newLiveClient = fluxhttp.NewDefaultClient

// maxResponseBytes caps what any Flux HTTP call of a script may read, as
// flux's own default client does.
const maxResponseBytes = 100 << 20

type runFlags struct {
	format       string
	live         bool
	emulatorAddr string
	now          string
	secrets      string
	outbox       string
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, string, error) {
	var f runFlags
	fs := flag.NewFlagSet("fluxpd run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.format, "format", "csv", "how to print result tables: csv (annotated CSV) or table")
	fs.BoolVar(&f.live, "live", false, "send to the real PagerDuty instead of the built-in emulator")
	fs.StringVar(&f.emulatorAddr, "emulator-addr", "127.0.0.1:0", "address of the built-in emulator")
	fs.StringVar(&f.now, "now", "", "pin now() to this RFC 3339 time")
	fs.StringVar(&f.secrets, "secrets", "", "file of KEY=value lines for secrets.get (looked up before the environment)")
	fs.StringVar(&f.outbox, "outbox", "", "outbox file keeping events PagerDuty did not take for redelivery (needs --live; default $"+outboxEnv+" with --live)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fluxpd run [flags] FILE.flux   (\"-\" reads standard input)")
		fmt.Fprintln(stderr, "\nRuns a Flux script. Unless --live is given, requests to PagerDuty go to a built-in emulator,\nand what it received is printed on standard error after the run.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, "", usageErr(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return f, "", errUsage
	}
	if f.outbox != "" && !f.live {
		fmt.Fprintln(stderr, "--outbox needs --live: events queued while the built-in emulator stands in for PagerDuty would later be redelivered to the real PagerDuty")
		return f, "", errUsage
	}
	if env := os.Getenv(outboxEnv); f.outbox == "" && env != "" {
		if f.live {
			f.outbox = env
		} else {
			fmt.Fprintf(stderr, "fluxpd: $%s is not used without --live (the built-in emulator stands in for PagerDuty)\n", outboxEnv)
		}
	}
	if f.format != "csv" && f.format != "table" {
		fmt.Fprintf(stderr, "--format must be csv or table; got %q\n", f.format)
		return f, "", errUsage
	}
	return f, fs.Arg(0), nil
}

func usageErr(err error) error {
	if err == flag.ErrHelp {
		return err
	}
	return errUsage
}

// runCommand implements "fluxpd run".
func runCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	f, file, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	src, err := readScript(file, stdin)
	if err != nil {
		return err
	}
	store, err := loadSecrets(f.secrets, stderr)
	if err != nil {
		return err
	}
	// Whatever the script and fluxpd print passes through the mask, so a
	// secret the script read never reaches the terminal.
	out := &secrets.MaskWriter{W: stdout, Store: store}
	defer out.Flush()
	maskedErr := &secrets.MaskWriter{W: stderr, Store: store}
	defer maskedErr.Flush()
	stderr = maskedErr
	r := &fluxrun.Runner{Values: out, Results: resultWriter(f.format, out)}
	if f.now != "" {
		if r.Now, err = time.Parse(time.RFC3339Nano, f.now); err != nil {
			return fmt.Errorf("--now must be an RFC 3339 time such as 2020-01-01T00:00:00Z; got %q", f.now)
		}
	}
	if err := initFlux(ctx); err != nil {
		return err
	}
	report := &reporter{w: stderr}
	host := pagerduty.Host{Report: report.report, Note: report.note}
	if f.live {
		r.Deps = runDeps(newLiveClient(), store)
		if f.outbox != "" {
			ob, err := pagerduty.OpenOutbox(f.outbox, pagerduty.OutboxOptions{Log: stderrLine(stderr, "fluxpd: ")})
			if err != nil {
				return err
			}
			defer ob.Close()
			host.Outbox, host.FlushFirst = ob, true
			defer writeOutboxSummary(stderr, ob, report)
		}
		ctx = pagerduty.WithHost(ctx, host)
		return maskErr(r.Run(ctx, file, src), store)
	}
	ctx = pagerduty.WithHost(ctx, host)
	emu, err := startStandIn(f.emulatorAddr)
	if err != nil {
		return err
	}
	defer emu.Close()
	r.Deps = runDeps(standInClient(emu, hostsToEmulate(src)), store)
	runErr := r.Run(ctx, file, src)
	if err := out.Flush(); err != nil {
		return err
	}
	if err := writeStandInSummary(stderr, emu); err != nil {
		return err
	}
	return maskErr(runErr, store)
}

// initFlux finalizes Flux's builtins, once per process: only "fluxpd run"
// pays those CPU-seconds of type inference, not "version" or "emulator".
// Finalizing cannot be interrupted, so it runs in the background and initFlux
// returns as soon as ctx is cancelled (a first Ctrl-C while Flux starts).
func initFlux(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		lazy.Finalize()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reporter prints one line on w (masked stderr) for every event that was
// not accepted and every note on how an event was changed, so that
// PagerDuty's reason reaches the person even though sendEvent returns only
// the status, and counts the events queued in the outbox. Sends run
// concurrently.
type reporter struct {
	mu     sync.Mutex
	w      io.Writer
	queued int
}

func (r *reporter) report(f pagerduty.Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.Queued {
		r.queued++
	}
	fmt.Fprintln(r.w, "fluxpd: "+f.String())
}

// note prints one line on w for every event sent other than the script
// gave it (a summary cut to PagerDuty's limit, say).
func (r *reporter) note(n pagerduty.Note) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.w, "fluxpd: note: "+n.String())
}

// stderrLine returns a func printing each message as one line on w.
func stderrLine(w io.Writer, prefix string) func(string) {
	var mu sync.Mutex
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, prefix+msg)
	}
}

// writeOutboxSummary says what the run queued and what waits in total.
func writeOutboxSummary(w io.Writer, ob *pagerduty.Outbox, r *reporter) {
	st, err := ob.Stats()
	if err != nil {
		fmt.Fprintf(w, "fluxpd: outbox %s: %v\n", ob.Path(), err)
		return
	}
	r.mu.Lock()
	queued := r.queued
	r.mu.Unlock()
	fmt.Fprintf(w, "\nOutbox %s: %d event%s queued by this run for redelivery; %d pending, %d dead letters in all (fluxpd outbox list, fluxpd outbox flush)\n",
		ob.Path(), queued, plural(queued), st.Pending, st.Dead)
}

// loadSecrets returns the secrets of --secrets, if given, in front of the
// environment. Loose file permissions draw a warning on stderr.
func loadSecrets(path string, stderr io.Writer) (*secrets.Store, error) {
	if path == "" {
		return &secrets.Store{}, nil
	}
	return secrets.Load(path, func(w string) { fmt.Fprintln(stderr, "fluxpd: "+w) })
}

// maskErr masks the secrets handed to the script in an error's text.
func maskErr(err error, store *secrets.Store) error {
	if err == nil {
		return nil
	}
	return errors.New(store.Mask(err.Error()))
}

// runDeps returns the Flux dependencies a script runs with: the given HTTP
// client (capped reads), the local file system for csv.from(file:), the
// secrets of --secrets and the environment, and no URL restrictions (a CLI user may post
// anywhere they can reach).
func runDeps(client *http.Client, store *secrets.Store) flux.Deps {
	return flux.Deps{Deps: flux.WrappedDeps{
		HTTPClient:        fluxhttp.LimitHTTPBody(*client, maxResponseBytes),
		FilesystemService: filesystem.SystemFS,
		SecretService:     store,
		URLValidator:      url.PassValidator{},
	}}
}

func resultWriter(format string, w io.Writer) fluxrun.ResultWriter {
	if format == "table" {
		return fluxrun.Table{W: w}
	}
	return fluxrun.CSV{W: w}
}

func readScript(file string, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return "", fmt.Errorf("cannot read the script: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", fmt.Errorf("the script %s is empty", file)
	}
	return string(b), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
