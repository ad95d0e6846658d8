package relay

import (
	"strings"
	"testing"
)

// TestRelay_CheckExposure: beyond loopback, the relay needs allowed keys
// or --open.
func TestRelay_CheckExposure(t *testing.T) {
	tests := []struct {
		addr            string
		allowKeys, open bool
		wantErr         string // "" for none
	}{
		{"127.0.0.1:8788", false, false, ""},
		{"127.0.0.2:0", false, false, ""},
		{"[::1]:8788", false, false, ""},
		{"localhost:8788", false, false, ""},
		{"0.0.0.0:8788", false, false, "listens on every interface"},
		{":8788", false, false, "listens on every interface"},
		{"[::]:8788", false, false, "listens on every interface"},
		{"10.0.0.5:8788", false, false, "listens on 10.0.0.5, beyond this machine"},
		{"relay.example.com:8788", false, false, "beyond this machine"},
		{"0.0.0.0:8788", true, false, ""},
		{"0.0.0.0:8788", false, true, ""},
		{"8788", false, false, `--addr "8788" is not HOST:PORT`},
	}
	for _, tt := range tests {
		err := checkExposure(tt.addr, tt.allowKeys, tt.open)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkExposure(%q, allowKeys %v, open %v) = %v, want nil", tt.addr, tt.allowKeys, tt.open, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkExposure(%q, allowKeys %v, open %v) = %v, want an error containing %q", tt.addr, tt.allowKeys, tt.open, err, tt.wantErr)
		}
	}
}

// TestRelay_Options_Checked: options that cannot work are refused at
// start, naming the flag.
func TestRelay_Options_Checked(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"upstream scheme", Options{Upstream: "ftp://x"}, "--upstream must be an absolute http or https URL"},
		{"upstream port", Options{Upstream: "http://127.0.0.1:99999"}, "port \"99999\" is out of range"},
		{"upstream with path", Options{Upstream: "https://events.pagerduty.com/v2/enqueue"}, "ends in an events path"},
		{"upstream with userinfo", Options{Upstream: "https://u:secretpassword@events.pagerduty.com"}, "without user, query or fragment"},
		{"rate", Options{Rate: "120"}, "--rate must be N/PERIOD"},
		{"rate zero", Options{Rate: "0/1m"}, "N must be a whole number"},
		{"rate period", Options{Rate: "5/-1m"}, "PERIOD must be a positive duration"},
		{"max pending", Options{MaxPending: -1}, "--max-pending must be 1 or more"},
		{"tls half", Options{TLSCert: "c.pem"}, "--tls-cert and --tls-key go together"},
		{"log format", Options{LogFormat: "xml"}, "--log-format must be text or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("withDefaults() = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secretpassword") {
				t.Errorf("the error shows the upstream's password: %v", err)
			}
		})
	}
}
