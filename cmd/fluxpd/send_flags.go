package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// defaultKeyName is the secret that holds the routing key, as in the
// examples and in secrets.get(key: "PAGERDUTY_ROUTING_KEY").
const defaultKeyName = "PAGERDUTY_ROUTING_KEY"

const sendUsage = `Usage: fluxpd send [flags]

Sends a clearly labelled test event, to test an integration without writing a
script, and prints PagerDuty's answer: status, message, errors, the dedup key
and the number of attempts. Unless --live is given, it goes to a built-in
emulator standing in for PagerDuty, whose summary is printed at the end.
Exits 0 when every event was accepted, 1 when one was not, 2 for a mistake on
the command line.

The routing key comes from --routing-key-file, or --secrets, or else the
environment variable named by --key-name. It is never printed.

Examples:
  fluxpd send --routing-key-file pd.key                       # to the emulator
  fluxpd send --routing-key-file pd.key --live --resolve-after 1m
  fluxpd send --secrets pd.secrets --live --change

Flags:
`

// sendFlags are the flags of "fluxpd send", checked.
type sendFlags struct {
	keyFile      string
	secretsFile  string
	keyName      string
	url          string
	live         bool
	emulatorAddr string
	resolveAfter time.Duration
	summary      string
	severity     string
	dedupKey     string
	change       bool

	set map[string]bool // the flags given on the command line
}

func newSendFlagSet(f *sendFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("fluxpd send", flag.ContinueOnError)
	fs.StringVar(&f.keyFile, "routing-key-file", "", "`file` holding the routing key alone (one trailing newline is ignored)")
	fs.StringVar(&f.secretsFile, "secrets", "", "`file` of KEY=value lines, as for fluxpd run, holding the routing key under --key-name")
	fs.StringVar(&f.keyName, "key-name", defaultKeyName, "name of the routing key in --secrets, or of the environment variable read when neither file is given")
	fs.StringVar(&f.url, "url", "", "the `URL` to send to (default "+pagerduty.DefaultURL+", with --change "+pagerduty.DefaultChangeURL+"); other than PagerDuty's hosts only with --live")
	fs.BoolVar(&f.live, "live", false, "send to the real PagerDuty (or --url) instead of the built-in emulator")
	fs.StringVar(&f.emulatorAddr, "emulator-addr", "127.0.0.1:0", "address of the built-in emulator")
	fs.Var((*durationFlag)(&f.resolveAfter), "resolve-after", "wait this `duration` after the trigger, such as 30s, then resolve it under the same dedup key (0: no resolve)")
	fs.StringVar(&f.summary, "summary", "", "summary of the event (default: a summary saying it is a test, when and by whom it was sent)")
	fs.StringVar(&f.severity, "severity", event.Info, "severity of the trigger: critical, error, warning or info")
	fs.StringVar(&f.dedupKey, "dedup-key", "", "dedup key of the trigger and its resolve (default: a generated one, printed)")
	fs.BoolVar(&f.change, "change", false, "send a test change event to the change events endpoint instead of a trigger")
	return fs
}

// parseSendFlags parses and checks the flags. --help prints the usage on
// stdout and returns flag.ErrHelp; a mistake is explained on stderr and
// returns errUsage.
func parseSendFlags(args []string, stdout, stderr io.Writer) (sendFlags, error) {
	f := sendFlags{set: make(map[string]bool)}
	fs := newSendFlagSet(&f)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, sendUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return f, err
		}
		fmt.Fprintln(stderr, `Run "fluxpd send --help" for the flags.`)
		return f, errUsage
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if fs.NArg() > 0 {
		return f, sendUsageError(stderr, fmt.Sprintf("it takes no arguments, only flags; got %s", event.Quote(fs.Arg(0))))
	}
	if msg := f.check(); msg != "" {
		return f, sendUsageError(stderr, msg)
	}
	if f.url == "" {
		f.url = pagerduty.DefaultURL
		if f.change {
			f.url = pagerduty.DefaultChangeURL
		}
	}
	return f, nil
}

func sendUsageError(stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "fluxpd send: %s\nRun \"fluxpd send --help\" for the flags.\n", msg)
	return errUsage
}

// check returns what is wrong with the flags, naming the flag, or "".
func (f *sendFlags) check() string {
	if msg := f.checkKeySource(); msg != "" {
		return msg
	}
	if f.change {
		for _, name := range []string{"resolve-after", "severity", "dedup-key"} {
			if f.set[name] {
				return fmt.Sprintf("--%s cannot be used with --change: a change event has no severity, dedup key or resolve; leave --%s out, or --change to send a trigger", name, name)
			}
		}
	}
	if msg := f.checkEventFlags(); msg != "" {
		return msg
	}
	return f.checkURL()
}

func (f *sendFlags) checkKeySource() string {
	switch {
	case f.keyFile != "" && f.secretsFile != "":
		return "give the routing key with one of --routing-key-file and --secrets, not both"
	case f.set["routing-key-file"] && f.keyFile == "":
		return "--routing-key-file is empty; give the path of a file holding the routing key"
	case f.set["secrets"] && f.secretsFile == "":
		return "--secrets is empty; give the path of a file of KEY=value lines"
	case f.set["key-name"] && f.keyFile != "":
		return "--key-name names the line of --secrets or the environment variable to read; it has no use with --routing-key-file, which holds the key alone"
	case !validSecretName(f.keyName):
		return fmt.Sprintf("--key-name must be a secret name: letters, digits and _, not starting with a digit, such as %s; got %s", defaultKeyName, event.Quote(f.keyName))
	}
	return ""
}

func (f *sendFlags) checkEventFlags() string {
	switch {
	case f.resolveAfter < 0:
		return fmt.Sprintf("--resolve-after must be a duration such as 30s or 5m, or 0 for no resolve; got %s", f.resolveAfter)
	case f.set["summary"] && strings.TrimSpace(f.summary) == "":
		return "--summary is empty; give a short description, or leave --summary out for the default test summary"
	case f.set["dedup-key"] && strings.TrimSpace(f.dedupKey) == "":
		return "--dedup-key is empty; give a key, or leave --dedup-key out to have one generated"
	case utf8.RuneCountInString(f.dedupKey) > event.MaxDedupKeyRunes:
		return fmt.Sprintf("--dedup-key is %d characters long; PagerDuty accepts at most %d", utf8.RuneCountInString(f.dedupKey), event.MaxDedupKeyRunes)
	}
	switch strings.ToLower(f.severity) {
	case event.Critical, event.Error, event.Warning, event.Info:
		f.severity = strings.ToLower(f.severity)
		return ""
	}
	return fmt.Sprintf("--severity must be one of critical, error, warning, info; got %s", event.Quote(f.severity))
}

// checkURL refuses an invalid --url, and without --live any host but
// PagerDuty's: those are the hosts the built-in emulator stands in for.
func (f *sendFlags) checkURL() string {
	if !f.set["url"] {
		return ""
	}
	example := pagerduty.DefaultURL
	if f.change {
		example = pagerduty.DefaultChangeURL
	}
	if err := delivery.CheckURL("--url", f.url, example); err != nil {
		return err.Error()
	}
	u, _ := url.Parse(f.url) // CheckURL has parsed it
	if !f.live && !isPagerDutyHost(normalizeHost(u.Host)) {
		return fmt.Sprintf("--url %s is not a PagerDuty host, and without --live fluxpd send sends only to the built-in emulator "+
			"(standing in for PagerDuty's hosts); --live is the switch for every other destination: add --live to send there", redact.URL(f.url))
	}
	return ""
}

// durationFlag is a time.Duration flag whose parse error says what is
// valid, where the flag package says only "parse error".
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("must be a duration such as 30s, 5m or 1h30m, or 0 for none")
	}
	*d = durationFlag(v)
	return nil
}

// validSecretName reports whether name can name a secret and an
// environment variable, as secrets files require.
func validSecretName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
