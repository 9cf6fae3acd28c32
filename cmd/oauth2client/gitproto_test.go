package main

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadGitRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     gitRequest
		err      string
	}{
		{"basic", "protocol=https\nhost=git.example\npath=a/b.git\n\nprotocol=ignored\n",
			gitRequest{"protocol": {"https"}, "host": {"git.example"}, "path": {"a/b.git"}}, ""},
		{"eof ends", "protocol=https\nhost=h", gitRequest{"protocol": {"https"}, "host": {"h"}}, ""},
		{"crlf", "host=h\r\n\r\n", gitRequest{"host": {"h"}}, ""},
		{"arrays", "capability[]=authtype\nwwwauth[]=Basic realm=\"x\"\nwwwauth[]=Bearer\ncapability[]=\ncapability[]=state\n",
			gitRequest{"capability[]": {"state"}, "wwwauth[]": {"Basic realm=\"x\"", "Bearer"}}, ""},
		{"last wins", "username=a\nusername=b\n", gitRequest{"username": {"b"}}, ""},
		{"value with =", "password=a=b\n", gitRequest{"password": {"a=b"}}, ""},
		{"empty", "", gitRequest{}, ""},
		{"no =", "protocol https\n", nil, "line 1 is not key=value"},
		{"no key", "=x\n", nil, "not key=value"},
		{"nul", "host=a\x00b\n", nil, "NUL"},
		{"long line", "host=" + strings.Repeat("a", maxGitLine) + "\n", nil, "longer than"},
		{"too long", strings.Repeat("k=v\n", maxGitInput/4), nil, "longer than"},
	} {
		got, err := readGitRequest(strings.NewReader(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		for k, v := range tc.want {
			if !slices.Equal(got[k], v) {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, got[k], v)
			}
		}
	}
	if _, err := readGitRequest(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Error("a read error passed")
	}
}

func FuzzReadGitRequest(f *testing.F) {
	f.Add("protocol=https\nhost=git.example\n\n")
	f.Add("capability[]=authtype\nwwwauth[]=Bearer\ncapability[]=\n")
	f.Add("password=a=b\r\nx\n")
	f.Fuzz(func(t *testing.T, in string) {
		req, err := readGitRequest(strings.NewReader(in))
		if err != nil {
			return
		}
		for k, vs := range req {
			if k == "" || strings.ContainsAny(k, "=\n\x00") {
				t.Fatalf("key %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\n\x00") {
					t.Fatalf("value %q of %q", v, k)
				}
			}
		}
	})
}

func TestWriteGitAnswer(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := writeGitAnswer(&b, []gitAttr{{"username", "oauth2"}, {"password", "tok"}}); err != nil || b.String() != "username=oauth2\npassword=tok\n" {
		t.Errorf("answer %q, %v", b.String(), err)
	}
	b.Reset()
	err := writeGitAnswer(&b, []gitAttr{{"username", "u"}, {"password", "secret\nhost=evil"}})
	if err == nil || b.Len() != 0 || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "password") {
		t.Errorf("a value with a newline: wrote %q, error %v; want nothing written and an error naming the key only", b.String(), err)
	}
}

func TestGitHostAllowed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		proto, host string
		hosts       []string
		anyHost     bool
		want        bool
	}{
		{"https", "git.example", nil, false, false}, // no --host: no answer
		{"https", "git.example", nil, true, true},
		{"https", "git.example", []string{"git.example"}, false, true},
		{"https", "git.example:8443", []string{"git.example:8443"}, false, true},
		{"https", "GIT.example", []string{"git.example"}, false, true},
		{"https", "other.example", []string{"git.example"}, false, false},
		{"http", "git.example", nil, true, false},
		{"http", "127.0.0.1:8080", nil, true, true},
		{"http", "localhost", []string{"localhost"}, false, true},
		{"http", "[::1]:80", nil, true, true},
		{"ssh", "git.example", nil, true, false},
		{"https", "", nil, true, false},
	} {
		req := gitRequest{"protocol": {tc.proto}, "host": {tc.host}}
		if got, why := gitHostAllowed(req, tc.hosts, tc.anyHost); got != tc.want || (!got && why == "") {
			t.Errorf("%s://%s with hosts %q, any host %v: %v (%q), want %v", tc.proto, tc.host, tc.hosts, tc.anyHost, got, why, tc.want)
		}
	}
}
