package file

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: parse never panics, and what it accepts encodes and parses
// back to the same keys in the same format.
func FuzzParse(f *testing.F) {
	refs, _ := filepath.Glob(filepath.Join(refDir, "*.json"))
	for _, p := range refs {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"oauth2client_go":1,"credentials":{"k":{"access_token":"x"}}}`,
		`{"file_version":1,"data":[{"key":{"a":1.50},"credential":{}}]}`, `{"file_version":2,"credentials":{"k":"e30="}}`,
		`{"file_version":"2"}`, `{"access_token":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parse(data, FormatGo)
		if err != nil {
			return
		}
		out, err := d.encode()
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		if d.empty || (d.format == FormatSingle && len(out) == 0) {
			return
		}
		d2, err := parse(out, FormatGo)
		if err != nil {
			t.Fatalf("re-parse of %q: %v\nencoded %q", data, err, out)
		}
		if d2.format != d.format || len(d2.keys()) != len(d.keys()) {
			t.Fatalf("round trip changed %v %q into %v %q", d.format, d.keys(), d2.format, d2.keys())
		}
		for i, k := range d.keys() {
			if d2.keys()[i] != k {
				t.Fatalf("key %q became %q", k, d2.keys()[i])
			}
		}
	})
}
