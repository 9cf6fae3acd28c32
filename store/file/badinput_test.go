package file

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestBadFiles: a file that is not a credentials file is an error that
// names it and says what is wrong, for every operation, and is never
// overwritten.
func TestBadFiles(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join(refDir, "oauth2client-4.1.3-multiprocess-storage.json"))
	if err != nil {
		t.Fatal(err)
	}
	single, _ := os.ReadFile(filepath.Join(refDir, "oauth2client-4.1.3-file-storage.json"))
	tests := []struct {
		name, content, want string
	}{
		{"truncated many", string(ref[:len(ref)/2]), "truncated"},
		{"truncated single", string(single[:100]), "truncated"},
		{"whitespace", "  \n", "truncated"},
		{"garbage", "not json", "invalid JSON"},
		{"two values", `{"a":1} {"b":2}`, "invalid JSON"},
		{"wrong version", `{"file_version": 3, "credentials": {}}`, "unsupported file_version 3"},
		{"wrong version ours", `{"oauth2client_go": 2, "credentials": {}}`, "unsupported oauth2client_go version 2"},
		{"version a string", `{"file_version": "2", "credentials": {}}`, "file_version is a string"},
		{"array", `[1, 2]`, "holds an array"},
		{"string", `"creds"`, "holds a string"},
		{"null", `null`, "holds null"},
		{"unknown object", `{"hello": "world"}`, "no known format"},
		{"v2 credentials array", `{"file_version": 2, "credentials": []}`, "credentials is an array"},
		{"v2 entry not string", `{"file_version": 2, "credentials": {"k": {}}}`, `credentials["k"] is an object, want a base64 string`},
		{"v2 entry bad base64", `{"file_version": 2, "credentials": {"k": "%%%"}}`, "not valid base64"},
		{"v2 entry not json", `{"file_version": 2, "credentials": {"k": "aGVsbG8="}}`, "does not decode to a JSON object"},
		{"v1 data object", `{"file_version": 1, "data": {}}`, "data is an object"},
		{"v1 key string", `{"file_version": 1, "data": [{"key": "k", "credential": {}}]}`, "data[0].key: is a string"},
		{"v1 credential missing", `{"file_version": 1, "data": [{"key": {"key": "k"}}]}`, "data[0].credential is nothing"},
		{"ours entry array", `{"oauth2client_go": 1, "credentials": {"k": []}}`, `credentials["k"] is an array`},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v; want ErrCorrupt naming the file and %q", op, err, tt.want)
				}
			}
			if _, err := OpenAuto(ctx, path, nil); true {
				check("OpenAuto", err)
			}
			for _, s := range []*Store{must(Open(path, nil)), must(OpenSingle(path, nil))} {
				_, err := s.Load(ctx, "k")
				check("Load", err)
				_, err = s.List(ctx)
				check("List", err)
				check("Save", s.Save(ctx, "k", counterCredentials(1)))
				check("Delete", s.Delete(ctx, "k"))
				called := false
				check("Update", s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
					called = true
					return counterCredentials(1), nil
				}))
				if called {
					t.Error("Update called fn on a corrupt file")
				}
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("corrupt file was overwritten with %q", b)
			}
		})
	}
}

func must(s *Store, err error) *Store {
	if err != nil {
		panic(err)
	}
	return s
}

// TestEmptyFile: a 0-byte file, as Python creates before its first write,
// is an empty store in either kind.
func TestEmptyFile(t *testing.T) {
	ctx := context.Background()
	for _, single := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "creds.json")
		os.WriteFile(path, nil, 0o600)
		s := must(Open(path, nil))
		if single {
			s = must(OpenSingle(path, nil))
		}
		if _, err := s.Load(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Load: %v, want ErrNotFound", err)
		}
		if keys, err := s.List(ctx); err != nil || len(keys) != 0 {
			t.Errorf("List: %q, %v", keys, err)
		}
		if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
			t.Fatal(err)
		}
		a, err := OpenAuto(ctx, path, nil)
		if err != nil || a.single != single {
			t.Errorf("OpenAuto after Save: single %v, %v; want %v", a != nil && a.single, err, single)
		}
	}
}

// TestSymlinksRefused: a credentials file or lock file that is a symbolic
// link is refused, and its target is left alone.
func TestSymlinksRefused(t *testing.T) {
	ctx := context.Background()
	for _, which := range []string{"file", "lock"} {
		t.Run(which, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "creds.json")
			target := filepath.Join(dir, "target")
			os.WriteFile(target, nil, 0o600)
			link := path
			if which == "lock" {
				link = path + ".lock"
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(path, nil); !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), link) {
				t.Errorf("Open: %v; want ErrSymlink naming %s", err, link)
			}
			// A link made after Open is refused by each operation.
			os.Remove(link)
			s := must(Open(path, nil))
			os.Symlink(target, link)
			if err := s.Save(ctx, "k", counterCredentials(1)); !errors.Is(err, ErrSymlink) {
				t.Errorf("Save: %v; want ErrSymlink", err)
			}
			if _, err := s.Load(ctx, "k"); !errors.Is(err, ErrSymlink) {
				t.Errorf("Load: %v; want ErrSymlink", err)
			}
			if b, _ := os.ReadFile(target); len(b) != 0 {
				t.Errorf("target written: %q", b)
			}
		})
	}
}

// TestFailedWrite: a write that fails at any step leaves the old file
// intact and no temp file behind.
func TestFailedWrite(t *testing.T) {
	ctx := context.Background()
	for _, step := range []string{"write", "sync", "rename"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "creds.json")
			s := must(Open(path, nil))
			if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			s.opts.writeHook = func(at string) error {
				if at == step {
					return syscall.ENOSPC
				}
				return nil
			}
			err := s.Save(ctx, "k", counterCredentials(2))
			if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
				t.Errorf("Save: %v; want ENOSPC naming %s", err, path)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("the old file changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 { // creds.json and its lock
				t.Errorf("folder holds %d files, want 2", len(entries))
			}
			s.opts.writeHook = nil
			if c, err := s.Load(ctx, "k"); err != nil || counter(c) != 1 {
				t.Errorf("Load after the failed write: %v", err)
			}
		})
	}
}

// TestReadOnlyFolder: in a folder the process cannot write, Save fails
// with a clear error and the file keeps its contents. As root, which
// ignores permissions, the check runs in a child process as nobody.
func TestReadOnlyFolder(t *testing.T) {
	ctx := context.Background()
	if os.Getuid() != 0 {
		dir := t.TempDir()
		path := filepath.Join(dir, "creds.json")
		s := must(Open(path, nil))
		if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		err := s.Save(ctx, "k", counterCredentials(2))
		if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), path) {
			t.Errorf("Save: %v; want a permission error naming %s", err, path)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Error("file changed")
		}
		return
	}
	// Root: copy the test binary where nobody can run it, and run it as
	// nobody on a file in a root-owned folder.
	const nobody = 65534
	bin, err := os.MkdirTemp("", "filestore-bin-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(bin)
	exe := filepath.Join(bin, "file.test")
	copyFile(t, os.Args[0], exe, 0o755)
	dir := filepath.Join(bin, "ro")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "creds.json")
	s := must(Open(path, nil))
	if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
		t.Fatal(err)
	}
	os.Chmod(bin, 0o755)
	os.Chown(path, nobody, nobody)
	os.Chown(path+".lock", nobody, nobody)
	before, _ := os.ReadFile(path)

	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), storetest.RoleEnv+"=save", envPath+"="+path)
	runAs(cmd, nobody)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got := string(out)
	if !strings.Contains(got, "load ok") || !strings.Contains(got, "permission denied") || !strings.Contains(got, path) {
		t.Errorf("child as nobody in a read-only folder said:\n%s", got)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("file changed")
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

var _ = time.Second
