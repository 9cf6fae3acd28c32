package file

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// refDir holds the files Python oauth2client wrote (see its README).
const refDir = "../../testdata/reference"

func copyRef(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestContract(t *testing.T) {
	for _, f := range []Format{FormatGo, FormatMultiprocess, FormatMultistore} {
		t.Run(f.String(), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				s, err := Open(filepath.Join(t.TempDir(), "creds.json"), &Options{NewFormat: f})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
	t.Run("single", func(t *testing.T) {
		storetest.RunSingle(t, func(t *testing.T) store.Store {
			s, err := OpenSingle(filepath.Join(t.TempDir(), "creds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("auto", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			s, err := OpenAuto(context.Background(), filepath.Join(t.TempDir(), "creds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// TestNewFormats: what each format writes for a new file, checked by
// reading it back generically.
func TestNewFormats(t *testing.T) {
	ctx := context.Background()
	c := storetest.Credentials("at", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	tests := []struct {
		format Format
		single bool
		check  func(t *testing.T, top map[string]any)
	}{
		{FormatGo, false, func(t *testing.T, top map[string]any) {
			if top["oauth2client_go"] != 1.0 {
				t.Errorf("version %v", top["oauth2client_go"])
			}
			cred := top["credentials"].(map[string]any)["k"].(map[string]any)
			if cred["access_token"] != "at" {
				t.Errorf("credential %v", cred)
			}
		}},
		{FormatMultiprocess, false, func(t *testing.T, top map[string]any) {
			if top["file_version"] != 2.0 {
				t.Errorf("version %v", top["file_version"])
			}
			b, err := base64.StdEncoding.DecodeString(top["credentials"].(map[string]any)["k"].(string))
			if err != nil || !strings.Contains(string(b), `"access_token":"at"`) {
				t.Errorf("credential %s, %v", b, err)
			}
		}},
		{FormatMultistore, false, func(t *testing.T, top map[string]any) {
			if top["file_version"] != 1.0 {
				t.Errorf("version %v", top["file_version"])
			}
			item := top["data"].([]any)[0].(map[string]any)
			if k := item["key"].(map[string]any); k["key"] != "k" || len(k) != 1 {
				t.Errorf("key %v", k)
			}
			if item["credential"].(map[string]any)["access_token"] != "at" {
				t.Errorf("item %v", item)
			}
		}},
		{FormatSingle, true, func(t *testing.T, top map[string]any) {
			if top["access_token"] != "at" || top["_class"] != "OAuth2Credentials" {
				t.Errorf("credential %v", top)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format.String(), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.json")
			var s *Store
			var err error
			if tt.single {
				s, err = OpenSingle(p, nil)
			} else {
				s, err = Open(p, &Options{NewFormat: tt.format})
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, "k", c); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]any
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			tt.check(t, top)
			fi, _ := os.Stat(p)
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode())
			}
			if f, err := s.Format(ctx); err != nil || f != tt.format {
				t.Errorf("Format = %v, %v; want %v", f, err, tt.format)
			}
			// Reopened by detection, it is the same kind of store.
			a, err := OpenAuto(ctx, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.single != tt.single {
				t.Errorf("OpenAuto single = %v, want %v", a.single, tt.single)
			}
		})
	}
}

func TestClassicKeyMultistore(t *testing.T) {
	ctx := context.Background()
	p := copyRef(t, "oauth2client-3.0.0-multistore.json")
	s, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	classic := store.ClassicKey("conf-client", "peers-test/1.0", []string{"api:read", "openid"})
	want := []string{classic, "my-key", `{"account":"alice","kind":"x"}`}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("List = %q, want %q", keys, want)
	}
	for _, k := range want {
		if _, err := s.Load(ctx, k); err != nil {
			t.Errorf("Load(%q): %v", k, err)
		}
	}
}

// TestReferenceWriteBack: each reference file, updated and written back,
// keeps its format, its other entries and the fields we do not know.
func TestReferenceWriteBack(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		file   string
		format Format
		key    string
	}{
		{"oauth2client-4.1.3-file-storage.json", FormatSingle, "anything"},
		{"oauth2client-3.0.0-file-storage.json", FormatSingle, "anything"},
		{"oauth2client-4.1.3-multiprocess-storage.json", FormatMultiprocess, "key-conf-client"},
		{"oauth2client-3.0.0-multistore.json", FormatMultistore, "my-key"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := copyRef(t, tt.file)
			// Add fields and entries we do not understand.
			orig, _ := os.ReadFile(p)
			var top map[string]any
			mustUnmarshal(t, orig, &top)
			top["x_top"] = "kept"
			switch tt.format {
			case FormatSingle:
				top["x_cred"] = "kept"
			case FormatMultiprocess:
				creds := top["credentials"].(map[string]any)
				creds["service"] = base64.StdEncoding.EncodeToString([]byte(`{"_class":"ServiceAccountCredentials","_module":"oauth2client.service_account","x":1}`))
			case FormatMultistore:
				data := top["data"].([]any)
				data[1].(map[string]any)["credential"].(map[string]any)["x_cred"] = "kept"
				data[1].(map[string]any)["x_item"] = "kept"
			}
			b, _ := json.Marshal(top)
			os.WriteFile(p, b, 0o600)

			s, err := OpenAuto(ctx, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			keysBefore, err := s.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Update(ctx, tt.key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				tok := *cur.Token
				tok.AccessToken = "new-at"
				cur.Token = &tok
				return cur, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if f, err := s.Format(ctx); err != nil || f != tt.format {
				t.Fatalf("format after write %v, %v; want %v", f, err, tt.format)
			}
			keysAfter, _ := s.List(ctx)
			if !slices.Equal(keysBefore, keysAfter) {
				t.Errorf("keys %q became %q", keysBefore, keysAfter)
			}
			c, err := s.Load(ctx, tt.key)
			if err != nil || c.Token.AccessToken != "new-at" || c.Token.RefreshToken != "1//test-refresh-token" {
				t.Fatalf("Load after Update: %v", err)
			}
			out, _ := os.ReadFile(p)
			if !strings.Contains(string(out), `"x_top"`) {
				t.Errorf("unknown top-level field lost:\n%s", out)
			}
			switch tt.format {
			case FormatSingle, FormatMultistore:
				if !strings.Contains(string(out), `"x_cred": "kept"`) && !strings.Contains(string(out), `"x_cred":"kept"`) {
					t.Errorf("unknown credential field lost:\n%s", out)
				}
			case FormatMultiprocess:
				if _, err := s.Load(ctx, "service"); err == nil || !strings.Contains(err.Error(), `entry "service"`) {
					t.Errorf("Load of a service account entry: %v", err)
				}
			}
			if tt.format == FormatMultistore && !strings.Contains(string(out), `"x_item": "kept"`) {
				t.Errorf("unknown item field lost:\n%s", out)
			}
		})
	}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestKindMismatch: a many-credential store refuses a one-credential file
// and the other way round, naming the file.
func TestKindMismatch(t *testing.T) {
	ctx := context.Background()
	single := copyRef(t, "oauth2client-4.1.3-file-storage.json")
	multi := copyRef(t, "oauth2client-4.1.3-multiprocess-storage.json")
	s, _ := Open(single, nil)
	if _, err := s.Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), single) || !strings.Contains(err.Error(), "OpenSingle") {
		t.Errorf("Open on a one-credential file: %v", err)
	}
	s, _ = OpenSingle(multi, nil)
	if _, err := s.Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), multi) {
		t.Errorf("OpenSingle on a many-credential file: %v", err)
	}
	before, _ := os.ReadFile(single)
	s, _ = Open(single, nil)
	if err := s.Save(ctx, "k", storetest.Credentials("x", time.Time{})); err == nil {
		t.Error("Save through Open on a one-credential file succeeded")
	}
	if after, _ := os.ReadFile(single); string(after) != string(before) {
		t.Error("one-credential file changed")
	}
}

func TestMultistoreKeyDict(t *testing.T) {
	tests := map[string]string{
		"plain":       `{"key":"plain"}`,
		`{"a":1}`:     `{"a":1}`,
		`{"key":"x"}`: `{"key":"{\"key\":\"x\"}"}`,
		`{ "a": 1 }`:  `{"key":"{ \"a\": 1 }"}`,
		store.ClassicKey("c", "u", []string{"s"}): store.ClassicKey("c", "u", []string{"s"}),
	}
	for key, want := range tests {
		got := string(multistoreKeyDict(key))
		if got != want {
			t.Errorf("multistoreKeyDict(%q) = %s, want %s", key, got, want)
		}
		back, err := multistoreKey(json.RawMessage(got))
		if err != nil || back != key {
			t.Errorf("round trip of %q: %q, %v", key, back, err)
		}
	}
}

var _ = errors.Is
