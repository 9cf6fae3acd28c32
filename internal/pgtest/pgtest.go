// Package pgtest starts a real PostgreSQL server for tests: Debian's
// binaries (package postgresql) run by initdb and pg_ctl in a temporary
// folder, as an unprivileged user, listening on 127.0.0.1 and a free port
// with a random password.
//
// Without Main, each Start starts and stops its own server. With Main in
// TestMain, one server serves the whole test binary and each Start gets a
// new, empty database on it:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// When the binaries are missing, Start skips the test, or fails it when
// the environment variable CI is "true".
//
// pg_ctl runs the server in the background: a test binary killed before
// its cleanup (a -timeout panic, SIGKILL) leaves it running, with its
// folder pgtest-* under the temporary folder.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// debianBin matches the folders Debian's postgresql-VERSION packages
// install the server programs in.
var debianBin = "/usr/lib/postgresql/*/bin"

var errNotInstalled = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package")

var (
	mu        sync.Mutex // guards the variables below
	sharing   bool       // Main is running the tests
	shared    *server
	sharedErr error
	databases int
)

// Main runs the tests with one server shared by every Start, stops it and
// returns the exit code for os.Exit.
func Main(m *testing.M) int {
	mu.Lock()
	sharing = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		shared = nil
	}
	return code
}

// Start returns the DSN (a postgres:// URL with a password) of a new,
// empty database owned by a superuser.
func Start(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	var srv *server
	var err error
	if sharing {
		if shared == nil && sharedErr == nil {
			shared, sharedErr = start()
		}
		srv, err = shared, sharedErr
	} else {
		srv, err = start()
		if err == nil {
			t.Cleanup(func() {
				if err := srv.stop(); err != nil {
					t.Error(err)
				}
			})
		}
	}
	if err != nil {
		startFailed(t, err)
		return ""
	}
	databases++
	name := "test" + strconv.Itoa(databases)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.dsn("postgres"))
	if err != nil {
		t.Fatal("pgtest:", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal("pgtest: creating a database:", err)
	}
	return srv.dsn(name)
}

// startFailed skips the test when PostgreSQL is not installed, unless CI
// is "true", and fails it otherwise.
func startFailed(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip("pgtest:", err)
	}
	t.Fatal("pgtest:", err)
}

// server is one running PostgreSQL.
type server struct {
	bin      string // folder holding initdb, pg_ctl
	dir      string // temporary folder: data, socket, log, password file
	port     int
	password string
	cred     *ids // nil: run as ourselves
}

// ids are the user and group a server runs as.
type ids struct{ uid, gid uint32 }

func (s *server) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", s.password, s.port, db)
}

// findBin returns the folder holding initdb and pg_ctl: Debian's newest
// /usr/lib/postgresql/VERSION/bin, else the PATH.
func findBin() (string, error) {
	dirs, _ := filepath.Glob(debianBin)
	version := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && isFile(filepath.Join(filepath.Dir(p), "pg_ctl")) {
		return filepath.Dir(p), nil
	}
	return "", errNotInstalled
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// start runs initdb and pg_ctl start.
func start() (_ *server, err error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: use the postgres account Debian's
		// package creates, else nobody.
		u, lerr := user.Lookup("postgres")
		if lerr != nil {
			if u, lerr = user.Lookup("nobody"); lerr != nil {
				return nil, fmt.Errorf("running as root and found neither a postgres nor a nobody user: %w", lerr)
			}
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		s.cred = &ids{uid: uint32(uid), gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	s.password = hex.EncodeToString(b)
	pwfile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if s.cred != nil {
		if err := os.Chown(pwfile, int(s.cred.uid), int(s.cred.gid)); err != nil {
			return nil, err
		}
	}
	if out, err := s.run("initdb", "-D", s.data(), "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pwfile, "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	os.Remove(pwfile)
	for attempt := 0; ; attempt++ {
		s.port, err = freePort()
		if err != nil {
			return nil, err
		}
		out, err := s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(dir, "log"), "-w", "-t", "120",
			"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s", s.port, dir), "start")
		if err == nil {
			return s, nil
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		if attempt < 3 && strings.Contains(string(log), "could not bind") {
			continue // someone took the port
		}
		return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
	}
}

func (s *server) data() string { return filepath.Join(s.dir, "data") }

// run runs a PostgreSQL program as the server's user in its folder.
func (s *server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		runAs(cmd, s.cred)
	}
	return cmd.CombinedOutput()
}

// stop stops the server and removes its folder.
func (s *server) stop() error {
	out, err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
