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
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
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
	summary      string
}

const runUsage = `Usage: fluxpd run [flags] FILE.flux   ("-" reads standard input; flags may also follow FILE)

Runs a Flux script. Unless --live is given, every pagerduty call goes to a
built-in emulator standing in for PagerDuty, whatever URL the script names,
and what became of the events is summarised on standard error at the end.

Exit status: 0 every event accepted (or queued in the outbox); 1 the script
failed; 2 a mistake on the command line; 3 the script ran but an event was
refused, invalid or not delivered, or the outbox dead-lettered one.

Flags:
`

func parseRunFlags(args []string, stdout, stderr io.Writer) (runFlags, string, error) {
	var f runFlags
	fs := flag.NewFlagSet("fluxpd run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.format, "format", "csv", "how to print result tables: csv (annotated CSV) or table")
	fs.BoolVar(&f.live, "live", false, "send to the URLs the script names (the real PagerDuty by default) instead of the built-in emulator")
	fs.StringVar(&f.emulatorAddr, "emulator-addr", "127.0.0.1:0", "address of the built-in emulator")
	fs.StringVar(&f.now, "now", "", "pin now() to this RFC 3339 time")
	fs.StringVar(&f.secrets, "secrets", "", "file of KEY=value lines for secrets.get (looked up before the environment)")
	fs.StringVar(&f.outbox, "outbox", "", "outbox file keeping events PagerDuty did not take for redelivery (needs --live; default $"+host.OutboxEnv+" with --live)")
	fs.StringVar(&f.summary, "summary", "short", "closing summary: short (counts and at most 20 events) or full (every event)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return f, "", err
	}
	if err := wantArgs(stderr, "run", "the script FILE.flux", files, 1); err != nil {
		return f, "", err
	}
	if err := f.check(stderr); err != nil {
		return f, "", err
	}
	return f, files[0], nil
}

// check refuses flags that do not go together and applies $FLUXPD_OUTBOX.
func (f *runFlags) check(stderr io.Writer) error {
	if f.outbox != "" && !f.live {
		fmt.Fprintln(stderr, "--outbox needs --live: events queued while the built-in emulator stands in for PagerDuty would later be redelivered to the real PagerDuty")
		return errUsage
	}
	if env := os.Getenv(host.OutboxEnv); f.outbox == "" && env != "" {
		if f.live {
			f.outbox = env
		} else {
			fmt.Fprintf(stderr, "fluxpd: $%s is not used without --live (the built-in emulator stands in for PagerDuty)\n", host.OutboxEnv)
		}
	}
	if f.format != "csv" && f.format != "table" {
		fmt.Fprintf(stderr, "fluxpd run: --format must be csv or table; got %q\n", f.format)
		return errUsage
	}
	if f.summary != "short" && f.summary != "full" {
		fmt.Fprintf(stderr, "fluxpd run: --summary must be short or full; got %q\n", f.summary)
		return errUsage
	}
	return nil
}

// errNotAccepted ends a run whose script succeeded but whose events did
// not all reach PagerDuty (see runUsage); main exits with exitNotAccepted.
type errNotAccepted struct{ n, dead int }

func (e errNotAccepted) Error() string {
	switch {
	case e.n > 0 && e.dead > 0:
		return fmt.Sprintf("%d event%s not accepted, and %d dead-lettered by the outbox", e.n, plural(e.n), e.dead)
	case e.dead > 0:
		return fmt.Sprintf("the outbox dead-lettered %d event%s", e.dead, plural(e.dead))
	}
	return fmt.Sprintf("%d event%s not accepted (see above)", e.n, plural(e.n))
}

// runCommand implements "fluxpd run".
func runCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	f, file, err := parseRunFlags(args, stdout, stderr)
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
	r := &fluxrun.Runner{Values: out, Results: resultWriter(f.format, out)}
	if f.now != "" {
		if r.Now, err = time.Parse(time.RFC3339Nano, f.now); err != nil {
			return fmt.Errorf("--now must be an RFC 3339 time such as 2020-01-01T00:00:00Z; got %q", f.now)
		}
	}
	if err := initFlux(ctx); err != nil {
		return err
	}
	report := newReporter(maskedErr, f.summary == "full", isTerminal(stderr))
	if f.live {
		return runLive(ctx, r, f, file, src, store, report)
	}
	return runAgainstEmulator(ctx, r, f, file, src, store, report, out)
}

// runLive runs the script with its URLs as written, through the outbox
// when one is given.
func runLive(ctx context.Context, r *fluxrun.Runner, f runFlags, file, src string, store *secrets.Store, report *reporter) error {
	h := report.host()
	r.Deps = runDeps(newLiveClient(), store)
	var ob *outbox.Outbox
	deadBefore := 0
	if f.outbox != "" {
		var err error
		if ob, err = outbox.Open(f.outbox, outbox.Options{Log: stderrLine(report.w, "fluxpd: ")}); err != nil {
			return err
		}
		defer ob.Close()
		if st, err := ob.Stats(); err == nil {
			deadBefore = st.Dead
		}
		h.Outbox, h.FlushFirst = ob, true
	}
	runErr := runWith(ctx, r, h, file, src)
	report.finish(false)
	dead := 0
	if ob != nil {
		dead = writeOutboxSummary(report.w, ob, report, deadBefore)
	}
	return runResult(runErr, report, dead, store)
}

// runAgainstEmulator runs the script with every pagerduty call diverted to
// a built-in emulator, and prints what it received.
func runAgainstEmulator(ctx context.Context, r *fluxrun.Runner, f runFlags, file, src string, store *secrets.Store, report *reporter, out *secrets.MaskWriter) error {
	emu, err := startStandIn(f.emulatorAddr)
	if err != nil {
		return err
	}
	defer emu.Close()
	h := report.host()
	h.Divert = standInURL(emu)
	r.Deps = runDeps(standInClient(emu), store)
	runErr := runWith(ctx, r, h, file, src)
	if err := out.Flush(); err != nil {
		return err
	}
	report.stop()
	listed, err := writeStandInSummary(report.w, emu, f.summary == "full")
	if err != nil {
		return err
	}
	report.finish(listed)
	return runResult(runErr, report, 0, store)
}

// runWith runs the script with h as the host of its pagerduty calls.
func runWith(ctx context.Context, r *fluxrun.Runner, h host.Host, file, src string) error {
	r.Check, r.Prepare = pagerduty.CheckScript, pagerduty.Prepare(h)
	return r.Run(ctx, file, src)
}

// runResult is the error fluxpd run ends with: the script's, else
// errNotAccepted when events did not all reach PagerDuty.
func runResult(runErr error, report *reporter, dead int, store *secrets.Store) error {
	if runErr != nil {
		return maskErr(runErr, store)
	}
	if n := report.notAccepted(); n > 0 || dead > 0 {
		return errNotAccepted{n: n, dead: dead}
	}
	return nil
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

// stderrLine returns a func printing each message as one line on w.
func stderrLine(w io.Writer, prefix string) func(string) {
	var mu sync.Mutex
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, prefix+msg)
	}
}

// writeOutboxSummary says what the run queued and what waits in total,
// and returns how many events the outbox dead-lettered during the run.
func writeOutboxSummary(w io.Writer, ob *outbox.Outbox, r *reporter, deadBefore int) int {
	st, err := ob.Stats()
	if err != nil {
		fmt.Fprintf(w, "fluxpd: outbox %s: %v\n", ob.Path(), err)
		return 0
	}
	queued := r.queued()
	fmt.Fprintf(w, "\nOutbox %s: %d event%s queued by this run for redelivery; %d pending, %d dead letters in all (fluxpd outbox list, fluxpd outbox flush)\n",
		ob.Path(), queued, plural(queued), st.Pending, st.Dead)
	return max(st.Dead-deadBefore, 0)
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
