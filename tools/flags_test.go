package tools

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

func TestFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantHost  string
		wantPorts []int
		wantNoWeb bool
		wantLevel slog.Level
		wantErr   string // from Parse or Options
	}{
		{name: "defaults", wantHost: "127.0.0.1", wantLevel: slog.LevelError},
		{name: "all", args: []string{"--auth-host-name", "localhost", "--auth-host-port", "8080,8090", "--auth-host-port=9000",
			"--noauth-local-webserver", "--logging-level", "debug", "-verbose"},
			wantHost: "localhost", wantPorts: []int{8080, 8090, 9000}, wantNoWeb: true, wantLevel: slog.LevelDebug},
		{name: "warning", args: []string{"--logging-level=WARNING"}, wantHost: "127.0.0.1", wantLevel: slog.LevelWarn},
		{name: "critical", args: []string{"--logging-level=CRITICAL"}, wantHost: "127.0.0.1", wantLevel: slog.LevelError + 4},
		{name: "bad port", args: []string{"--auth-host-port", "http"}, wantErr: "not a port number"},
		{name: "port out of range", args: []string{"--auth-host-port", "0"}, wantErr: "not a port number"},
		{name: "bad level", args: []string{"--logging-level", "LOUD"}, wantErr: "want one of DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("prog", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			verbose := fs.Bool("verbose", false, "the host program's own flag")
			f := RegisterFlags(fs)
			err := fs.Parse(tt.args)
			var o *Options
			if err == nil {
				o, err = f.options(io.Discard)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkOptions(t, o, tt.wantHost, tt.wantPorts, tt.wantNoWeb, tt.wantLevel)
			if slices.Contains(tt.args, "-verbose") != *verbose {
				t.Error("the host program's flag was lost")
			}
		})
	}
}

func TestFlagsHelp(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	RegisterFlags(fs)
	fs.PrintDefaults()
	for _, name := range []string{"-auth-host-name", "-auth-host-port", "-noauth-local-webserver", "-logging-level", `(default "127.0.0.1")`, `(default "ERROR")`} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help lacks %s:\n%s", name, out.String())
		}
	}
}

func TestParsePasted(t *testing.T) {
	tests := []struct {
		in, code, wantCode, wantErr string
	}{
		{in: "http://127.0.0.1:8080/cb?code=abc&state=s#frag", code: "abc"},
		{in: "?code=abc&state=s", code: "abc"},
		{in: "code=abc&state=s", code: "abc"},
		{in: "4/0Abc-def_ghi", wantCode: "4/0Abc-def_ghi"}, // Google's codes have a slash
		{in: "http://127.0.0.1:8080/cb", wantErr: "neither a URL"},
		{in: "two words", wantErr: "neither a URL"},
		{in: "http://127.0.0.1/?error=access_denied&state=s"},
		{in: "", wantErr: "nothing"},
		{in: "x=%zz", wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, code, err := parsePasted(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode || (tt.code != "" && q.Get("code") != tt.code) {
				t.Errorf("query %v, code %q", q, code)
			}
		})
	}
}

// FuzzParsePasted: whatever a user pastes, parsePasted returns a query with
// a code or an error, a bare code, or an error, and never panics.
func FuzzParsePasted(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:1/?code=a&state=b", "code=x", "abc", "?error=e", "", "http://[::1/?", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, code, err := parsePasted(s)
		switch {
		case err != nil:
		case q != nil && !q.Has("code") && !q.Has("error"):
			t.Errorf("query without code or error: %v", q)
		case q == nil && code == "":
			t.Error("neither query nor code")
		}
	})
}

// TestFlagsPythonSpellings: a command line written for Python
// oauth2client's tools.argparser works unchanged.
func TestFlagsPythonSpellings(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantHost  string
		wantPorts []int
		wantNoWeb bool
		wantLevel slog.Level
		wantRest  []string
	}{
		{name: "all, argparse's several ports", args: []string{"--auth_host_name", "localhost", "--auth_host_port", "8080", "8090",
			"--noauth_local_webserver", "--logging_level", "INFO", "rest"},
			wantHost: "localhost", wantPorts: []int{8080, 8090}, wantNoWeb: true, wantLevel: slog.LevelInfo, wantRest: []string{"rest"}},
		{name: "ports in one argument", args: []string{"--auth_host_port=8080 8090"},
			wantHost: "127.0.0.1", wantPorts: []int{8080, 8090}, wantLevel: slog.LevelError},
		{name: "mixed spellings", args: []string{"--auth-host-port", "9000", "--auth_host_port", "9001", "--logging_level=DEBUG"},
			wantHost: "127.0.0.1", wantPorts: []int{9000, 9001}, wantLevel: slog.LevelDebug},
		{name: "after --", args: []string{"--", "--auth_host_port", "1", "2"},
			wantHost: "127.0.0.1", wantLevel: slog.LevelError, wantRest: []string{"--auth_host_port", "1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("prog", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := RegisterFlags(fs)
			if err := fs.Parse(PythonArgs(tt.args)); err != nil {
				t.Fatal(err)
			}
			o, err := f.options(io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			checkOptions(t, o, tt.wantHost, tt.wantPorts, tt.wantNoWeb, tt.wantLevel)
			if !slices.Equal(fs.Args(), tt.wantRest) {
				t.Errorf("arguments left %q, want %q", fs.Args(), tt.wantRest)
			}
		})
	}
}

// checkOptions checks the Options made of flag values.
func checkOptions(t *testing.T, o *Options, host string, ports []int, noWeb bool, level slog.Level) {
	t.Helper()
	if o.HostName != host || !slices.Equal(o.Ports, ports) || o.NoLocalWebServer != noWeb {
		t.Errorf("options %+v", o)
	}
	if !o.Logger.Enabled(t.Context(), level) || o.Logger.Enabled(t.Context(), level-1) {
		t.Errorf("logger level is not %v", level)
	}
}
