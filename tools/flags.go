package tools

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
)

// LoggingLevels are the values of --logging-level, as in Python's
// oauth2client, from the most to the least verbose.
var LoggingLevels = []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

// Flags holds the values of the flags [RegisterFlags] registers.
type Flags struct {
	// AuthHostName is --auth-host-name: the host of the loopback redirect
	// URI (see Options.HostName).
	AuthHostName string
	// AuthHostPorts is --auth-host-port, repeatable or comma-separated: the
	// ports to try (see Options.Ports). Empty means an ephemeral port.
	AuthHostPorts []int
	// NoAuthLocalWebServer is --noauth-local-webserver: do not run a local
	// web server (see Options.NoLocalWebServer).
	NoAuthLocalWebServer bool
	// LoggingLevel is --logging-level: DEBUG, INFO, WARNING, ERROR or
	// CRITICAL, case-insensitive.
	LoggingLevel string
}

// RegisterFlags registers RunFlow's flags on fs, next to the host
// program's own, and returns where their values go:
//
//	--auth-host-name        host of the redirect URI (default 127.0.0.1)
//	--auth-host-port        port to try; repeatable or comma-separated
//	--noauth-local-webserver  do not run a local web server
//	--logging-level         DEBUG, INFO, WARNING, ERROR (default) or CRITICAL
//
// Python's oauth2client spelled them with underscores and defaulted
// --auth_host_name to localhost and the ports to 8080,8090; here the
// default is 127.0.0.1 (RFC 8252 §8.3) and an ephemeral port (§7.3).
// The underscore spellings of tools.argparser are registered too, as
// aliases of the same values (their usage starts with [AliasUsagePrefix]):
// --auth_host_name, --auth_host_port, --noauth_local_webserver and
// --logging_level. Ports may also be separated by spaces in one argument;
// argparse's form of several arguments, --auth_host_port 8080 8090, needs
// [PythonArgs] applied to the command line first, since package flag
// takes one argument per flag.
func RegisterFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{AuthHostName: DefaultHostName, LoggingLevel: "ERROR"}
	hostUsage := "host `name` of the loopback redirect URI: 127.0.0.1, localhost or ::1"
	portUsage := "`port` for the loopback redirect server; repeat or separate with commas to try several in order (default: any free port)"
	noWebUsage := "do not run a local web server: use the device flow if the provider offers it, else paste the final URL"
	levelUsage := "`level` of log messages: " + strings.Join(LoggingLevels, ", ")
	for _, sep := range []string{"-", "_"} {
		alias := ""
		if sep == "_" {
			alias = AliasUsagePrefix
		}
		fs.StringVar(&f.AuthHostName, "auth"+sep+"host"+sep+"name", f.AuthHostName, alias+hostUsage)
		fs.Var((*portsValue)(&f.AuthHostPorts), "auth"+sep+"host"+sep+"port", alias+portUsage)
		fs.BoolVar(&f.NoAuthLocalWebServer, "noauth"+sep+"local"+sep+"webserver", false, alias+noWebUsage)
		fs.StringVar(&f.LoggingLevel, "logging"+sep+"level", f.LoggingLevel, alias+levelUsage)
	}
	return f
}

// AliasUsagePrefix starts the usage text of the flags [RegisterFlags]
// registers under Python's underscore spellings, so that a program can
// leave them out of its help.
const AliasUsagePrefix = "(Python spelling) "

// PythonArgs returns args with argparse's several-argument form of the
// port flag, --auth_host_port 8080 8090 (or --auth-host-port), joined into
// one argument, --auth_host_port=8080,8090, as package flag needs. Other
// arguments are returned as they are, and so is everything after "--".
func PythonArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		name := strings.TrimLeft(a, "-")
		if a == name || (name != "auth_host_port" && name != "auth-host-port") {
			continue
		}
		var ports []string
		for i+1 < len(args) && isPort(args[i+1]) {
			ports = append(ports, args[i+1])
			i++
		}
		if len(ports) > 0 {
			out[len(out)-1] = a + "=" + strings.Join(ports, ",")
		}
	}
	return out
}

// isPort reports whether s is all decimal digits, as a port argument is.
func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Options returns RunFlow options for the flag values, with a logger
// writing text to os.Stderr at the chosen level. It fails on an unknown
// logging level.
func (f *Flags) Options() (*Options, error) {
	return f.options(os.Stderr)
}

// options is Options with the log destination given.
func (f *Flags) options(logTo io.Writer) (*Options, error) {
	level, err := ParseLoggingLevel(f.LoggingLevel)
	if err != nil {
		return nil, err
	}
	return &Options{
		HostName:         f.AuthHostName,
		Ports:            slices.Clone(f.AuthHostPorts),
		NoLocalWebServer: f.NoAuthLocalWebServer,
		Logger:           slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level})),
	}, nil
}

// ParseLoggingLevel maps a Python logging level name (case-insensitive) to
// a log/slog level: DEBUG, INFO, WARNING (or WARN), ERROR, and CRITICAL,
// which is slog.LevelError+4.
func ParseLoggingLevel(name string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARNING", "WARN":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "CRITICAL", "FATAL":
		return slog.LevelError + 4, nil
	}
	return 0, fmt.Errorf("tools: --logging-level %q: want one of %s", name, strings.Join(LoggingLevels, ", "))
}

// portsValue is a flag.Value of ports, repeatable or comma-separated.
type portsValue []int

func (p *portsValue) String() string {
	if p == nil {
		return ""
	}
	s := make([]string, len(*p))
	for i, v := range *p {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (p *portsValue) Set(v string) error {
	for part := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q is not a port number (1-65535)", part)
		}
		*p = append(*p, n)
	}
	return nil
}
