package host_test

import (
	"os"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// unset, as a value for setenv, unsets the variable.
const unset = "<unset>"

// setenv sets name to value (or unsets it) for the test; the variable is
// restored when the test ends.
func setenv(t *testing.T, name, value string) {
	t.Helper()
	t.Setenv(name, value)
	if value == unset {
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRetryFromEnv(t *testing.T) {
	tests := []struct {
		name, base, max string
		want            host.Retry
		wantErr         string
	}{
		{name: "both unset", base: unset, max: unset},
		{name: "both empty", base: "", max: "  "},
		{name: "base only", base: "5s", max: unset, want: host.Retry{Base: 5 * time.Second}},
		{name: "maximum only", base: unset, max: "15m", want: host.Retry{Max: 15 * time.Minute}},
		{name: "both, spaces trimmed", base: " 250ms ", max: "\t2m\n", want: host.Retry{Base: 250 * time.Millisecond, Max: 2 * time.Minute}},
		{name: "maximum equal to the base", base: "1m", max: "60s", want: host.Retry{Base: time.Minute, Max: time.Minute}},
		{name: "not a duration", base: "30", max: unset, wantErr: `$FLUXPD_OUTBOX_RETRY="30" is not a positive duration such as 30s`},
		{name: "zero", base: "0s", max: unset, wantErr: `$FLUXPD_OUTBOX_RETRY="0s" is not a positive duration such as 30s`},
		{name: "negative maximum", base: unset, max: "-1m", wantErr: `$FLUXPD_OUTBOX_RETRY_MAX="-1m" is not a positive duration such as 30s`},
		{name: "garbage maximum", base: "1s", max: "soon", wantErr: `$FLUXPD_OUTBOX_RETRY_MAX="soon" is not a positive duration such as 30s`},
		{name: "maximum below the base", base: "2m", max: "30s", wantErr: "$FLUXPD_OUTBOX_RETRY_MAX (30s) is shorter than $FLUXPD_OUTBOX_RETRY (2m0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setenv(t, host.OutboxRetryEnv, tt.base)
			setenv(t, host.OutboxRetryMaxEnv, tt.max)
			got, err := host.RetryFromEnv()
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Errorf("RetryFromEnv() = %+v, %q; want %+v, %q", got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRetry_Interval(t *testing.T) {
	tests := []struct {
		retry host.Retry
		want  time.Duration
	}{
		{host.Retry{}, host.DefaultFlushInterval},
		{host.Retry{Max: time.Second}, host.DefaultFlushInterval},
		{host.Retry{Base: time.Second}, time.Second},
		{host.Retry{Base: host.DefaultFlushInterval}, host.DefaultFlushInterval},
		{host.Retry{Base: time.Hour, Max: 2 * time.Hour}, host.DefaultFlushInterval},
	}
	for _, tt := range tests {
		if got := tt.retry.Interval(); got != tt.want {
			t.Errorf("%+v.Interval() = %s, want %s", tt.retry, got, tt.want)
		}
	}
	if host.DefaultFlushInterval != outbox.DefaultFlushInterval {
		t.Errorf("host.DefaultFlushInterval %s is not the outbox's %s", host.DefaultFlushInterval, outbox.DefaultFlushInterval)
	}
}

func TestServerOutboxPath(t *testing.T) {
	const def = "/var/lib/influxdb/fluxpd-outbox.db"
	tests := []struct {
		name, env string
		defOK     bool
		want      string
		wantAsked bool // the default was asked for
	}{
		{name: "unset: the default", env: unset, defOK: true, want: def, wantAsked: true},
		{name: "empty: the default", env: "", defOK: true, want: def, wantAsked: true},
		{name: "unset, no default", env: unset, want: "", wantAsked: true},
		{name: "a file", env: "/data/outbox.db", defOK: true, want: "/data/outbox.db"},
		{name: "a file, spaces trimmed", env: "  /data/outbox.db\n", want: "/data/outbox.db"},
		{name: "off", env: host.OutboxOff, defOK: true, want: ""},
		{name: "OFF, any case", env: " OFF ", defOK: true, want: ""},
		{name: "a file named offline", env: "offline", want: "offline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setenv(t, host.OutboxEnv, tt.env)
			asked := 0
			got := host.ServerOutboxPath(func() (string, bool) {
				asked++
				return def, tt.defOK
			})
			if got != tt.want || (asked > 0) != tt.wantAsked || asked > 1 {
				t.Errorf("ServerOutboxPath() = %q, the default asked %d times; want %q, asked: %v", got, asked, tt.want, tt.wantAsked)
			}
		})
	}
}
