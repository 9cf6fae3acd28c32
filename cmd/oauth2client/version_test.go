package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, errOut := runCLI(t, t.Context(), arg)
		if code != exitOK || errOut != "" || !regexp.MustCompile(`^oauth2client (\(devel\)|v\S+)\n$`).MatchString(out) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, code, out, errOut)
		}
	}
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{nil, "(devel)"},
		{&debug.BuildInfo{}, "(devel)"},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/oauth2client/oauth2client", Version: "(devel)"}}, "(devel)"},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/oauth2client/oauth2client", Version: "v1.2.3"}}, "v1.2.3"},
	} {
		if got := versionOf(tc.bi); got != tc.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tc.bi, got, tc.want)
		}
	}
}

// TestHelpExamplesUseListedFlags: every flag an example uses is listed
// under Flags spelled as the example spells it (-H, -d, -v, --data-file).
func TestHelpExamplesUseListedFlags(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		listed := helpFlags(t, c.name)
		_, help, _ := runCLI(t, t.Context(), c.name, "--help")
		_, examplesPart, _ := strings.Cut(help, "\nExamples:\n")
		var words []string
		for line := range strings.Lines(examplesPart) {
			// Only the oauth2client command line: not curl's -H around it.
			i := strings.Index(line, "oauth2client ")
			if i < 0 {
				continue
			}
			seg := line[i:]
			if j := strings.IndexAny(seg, ")|"); j >= 0 {
				seg = seg[:j]
			}
			words = append(words, strings.Fields(seg)...)
		}
		for _, word := range words {
			if !strings.HasPrefix(word, "-") || word == "-" || strings.HasPrefix(word, "-'") {
				continue
			}
			name, _, _ := strings.Cut(word, "=")
			if !listed[name] {
				t.Errorf("%s: the examples use %s, which the flag list does not show so", c.name, name)
			}
		}
	}
}
