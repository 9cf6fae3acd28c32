package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestStart: two Starts give two empty databases on one server.
func TestStart(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two Starts returned the same DSN")
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("public tables: %d, %v; want 0", n, err)
		}
		conn.Close(ctx)
	}
}

// fakeTB records how a test ended.
type fakeTB struct {
	testing.TB
	ended string
}

type endTest struct{}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Skip(args ...any)  { f.ended = "skip: " + fmt.Sprint(args...); panic(endTest{}) }
func (f *fakeTB) Fatal(args ...any) { f.ended = "fatal: " + fmt.Sprint(args...); panic(endTest{}) }
func (f *fakeTB) Cleanup(fn func()) {}
func (f *fakeTB) run(fn func(testing.TB)) {
	defer func() {
		if r := recover(); r != nil && r != (endTest{}) {
			panic(r)
		}
	}()
	fn(f)
}

// TestMissingPostgreSQL: without the binaries a test is skipped naming
// Debian's package, or fails when CI=true.
func TestMissingPostgreSQL(t *testing.T) {
	defer func(g string) { debianBin = g }(debianBin)
	debianBin = filepath.Join(t.TempDir(), "*", "bin")
	t.Setenv("PATH", t.TempDir())
	if _, err := findBin(); !errors.Is(err, errNotInstalled) {
		t.Fatalf("findBin: %v, want errNotInstalled", err)
	}
	_, err := start()
	for _, c := range []struct{ ci, want string }{{"", "skip: "}, {"false", "skip: "}, {"true", "fatal: "}} {
		t.Setenv("CI", c.ci)
		f := &fakeTB{TB: t}
		f.run(func(tb testing.TB) { startFailed(tb, err) })
		if !strings.HasPrefix(f.ended, c.want) || !strings.Contains(f.ended, "postgresql package") {
			t.Errorf("CI=%q: test ended with %q, want %q naming the postgresql package", c.ci, f.ended, c.want)
		}
	}
}
