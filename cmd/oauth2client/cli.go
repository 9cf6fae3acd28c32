package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client/tools"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed
	exitUsage   = 2 // the command line is wrong
)

// command is one subcommand. Each lives in its own file and adds itself to
// the table with register from an init function.
type command struct {
	name     string // as typed, e.g. "serve"
	args     string // synopsis after the name, e.g. "[flags]"
	summary  string // one line for the command list
	help     string // paragraphs shown by --help, before the flags
	examples string // lines shown by --help after the flags
	// run runs the command with the arguments after its name.
	run func(ctx context.Context, e *env, c *command, args []string) int
}

// commands is the command table, filled by register.
var commands []*command

// register adds c to the command table.
func register(c *command) {
	commands = append(commands, c)
	slices.SortFunc(commands, func(a, b *command) int { return strings.Compare(a.name, b.name) })
}

// lookup returns the named command, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a command reads and writes: messages for people go to
// stderr, the thing asked for to stdout.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// flagsOnly, when set, receives a command's flag set in parse, which
	// then ends the command: how tokenOrLogin learns login's flags.
	flagsOnly func(*flag.FlagSet)
}

// run runs the command line args (without the program name) and returns
// the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage())
		return exitUsage
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "oauth2client help: unknown command %q\nRun 'oauth2client help' for the list.\n", args[1])
				return exitUsage
			}
			return c.run(ctx, e, c, []string{"--help"})
		}
		fmt.Fprint(stdout, topUsage())
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "oauth2client %s\n", version())
		return exitOK
	default:
		c := lookup(name)
		if c == nil {
			fmt.Fprintf(stderr, "oauth2client: unknown command %q\nRun 'oauth2client help' for the list.\n", name)
			return exitUsage
		}
		return c.run(ctx, e, c, args[1:])
	}
}

// topUsage is the program's help text.
func topUsage() string {
	var b strings.Builder
	b.WriteString("Usage: oauth2client COMMAND [flags] [arguments]\n\n")
	b.WriteString("oauth2client obtains, stores and uses OAuth 2.0 and OpenID Connect\ncredentials.\n\nCommands:\n")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.summary)
	}
	b.WriteString("\nRun 'oauth2client COMMAND --help' for a command's flags and examples,\n'oauth2client --version' for the version.\n")
	return b.String()
}

// flagSet returns an empty flag set for c whose errors go to stderr.
// Flags may be given as -name or --name.
func (e *env) flagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("oauth2client "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {} // parse reports usage itself
	return fs
}

// parse parses args with fs. When it returns ok false, the command should
// return code: --help was printed (0) or the command line was wrong (2).
func (e *env) parse(c *command, fs *flag.FlagSet, args []string) (code int, ok bool) {
	if e.flagsOnly != nil {
		e.flagsOnly(fs)
		return exitOK, false
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, commandHelp(c, fs))
		return exitOK, false
	case err != nil:
		// The flag package has printed the error.
		fmt.Fprintf(e.stderr, "Run 'oauth2client %s --help' for usage.\n", c.name)
		return exitUsage, false
	}
	return exitOK, true
}

// parseFlags is parse for commands that take no positional arguments.
func (e *env) parseFlags(c *command, fs *flag.FlagSet, args []string) (code int, ok bool) {
	if code, ok := e.parse(c, fs, args); !ok {
		return code, false
	}
	if fs.NArg() > 0 {
		return e.usageError(c, "unexpected argument %q", fs.Arg(0)), false
	}
	return exitOK, true
}

// usageError reports a wrong command line and returns exitUsage.
func (e *env) usageError(c *command, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "oauth2client %s: %s\nRun 'oauth2client %s --help' for usage.\n",
		c.name, fmt.Sprintf(format, args...), c.name)
	return exitUsage
}

// fail reports a failed command and returns exitFailure.
func (e *env) fail(c *command, err error) int {
	fmt.Fprintf(e.stderr, "oauth2client %s: %s\n", c.name, errorText(err))
	return exitFailure
}

// commandHelp is the --help text of c with the flags of fs.
func commandHelp(c *command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: oauth2client %s %s\n\n", c.name, c.args)
	b.WriteString(strings.TrimSpace(c.help) + "\n")
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			b.WriteString("\nFlags:\n")
			first = false
		}
		if strings.HasPrefix(f.Usage, tools.AliasUsagePrefix) {
			return // Python's spelling of a flag listed under its own
		}
		name, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-" // -H, -d, -v: as the examples and curl write them
		}
		fmt.Fprintf(&b, "  %s%s", dash, f.Name)
		if name != "" {
			b.WriteString(" " + strings.ToUpper(name))
		}
		b.WriteString("\n      " + usage)
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if c.examples != "" {
		b.WriteString("\nExamples:\n")
		for _, line := range strings.Split(strings.Trim(c.examples, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}
