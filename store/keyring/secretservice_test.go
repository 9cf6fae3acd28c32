package keyring

// The tests run against a real Secret Service. Unless told otherwise,
// TestMain starts a private one for the test binary:
//
//	dbus-daemon --session --nofork --nopidfile --print-address=1 --address=unix:path=$TMP/bus
//	gnome-keyring-daemon --foreground --unlock --components=secrets   (password on stdin)
//
// with HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and
// XDG_RUNTIME_DIR in a temporary folder, so no real keyring is touched,
// and DBUS_SESSION_BUS_ADDRESS pointing at the private bus. Started with
// --unlock in an empty data folder, gnome-keyring-daemon creates the
// keyring "login" with that password, unlocked, and points the alias
// "default" at it: exactly the collection go-keyring writes to. TestMain
// checks this before running the tests, and afterwards stops both
// daemons and removes the folder. The daemons also get SIGKILL if the
// test binary dies (Pdeathsig), so a panic leaves nothing running.
//
// Debian packages: gnome-keyring and dbus-daemon (which pulls in
// dbus-session-bus-common). With CI=true a missing one fails the tests;
// otherwise they skip, naming it.
//
// OAUTH2CLIENT_TEST_SECRET_SERVICE=existing uses the session bus already
// in DBUS_SESSION_BUS_ADDRESS instead (or the Keychain or Credential
// Manager off Linux), under throw-away service names; without it, tests
// off Linux skip rather than write to the user's keyring.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/oauth2client/oauth2client/store/storetest"
)

const (
	envSecretService = "OAUTH2CLIENT_TEST_SECRET_SERVICE"
	testPassword     = "oauth2client-test-keyring-password"
)

// secretServiceProblem says why no Secret Service is available; empty
// when tests can run.
var secretServiceProblem string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	switch {
	case os.Getenv(storetest.RoleEnv) != "":
		// A re-executed child: the parent's environment names its bus.
		return m.Run()
	case os.Getenv(envSecretService) == "existing":
		return m.Run()
	case runtime.GOOS != "linux":
		secretServiceProblem = "a private Secret Service needs Linux; set " + envSecretService + "=existing to use this system's password manager"
		return m.Run()
	}
	// Pdeathsig fires when the thread that started a child exits: keep
	// the main goroutine on its thread for the binary's lifetime.
	runtime.LockOSThread()
	stop, err := startSecretService()
	if err != nil {
		secretServiceProblem = err.Error()
		return m.Run()
	}
	defer stop()
	return m.Run()
}

// requireSecretService skips the test, or fails it when CI=true, when no
// Secret Service is available.
func requireSecretService(t *testing.T) {
	t.Helper()
	if secretServiceProblem == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and no Secret Service: %s", secretServiceProblem)
	}
	t.Skipf("no Secret Service: %s", secretServiceProblem)
}

// startSecretService starts dbus-daemon and gnome-keyring-daemon in a
// temporary home and points this process at them; stop undoes it all.
func startSecretService() (stop func(), err error) {
	dbusDaemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, errors.New("dbus-daemon not found: install the Debian package dbus-daemon")
	}
	if _, err := os.Stat("/usr/share/dbus-1/session.conf"); err != nil {
		return nil, errors.New("dbus-daemon has no session configuration: install the Debian package dbus-session-bus-common")
	}
	gkd, err := exec.LookPath("gnome-keyring-daemon")
	if err != nil {
		return nil, errors.New("gnome-keyring-daemon not found: install the Debian package gnome-keyring")
	}

	tmp, err := os.MkdirTemp("", "oauth2client-keyring-test-")
	if err != nil {
		return nil, err
	}
	var cleanups []func()
	stop = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		os.RemoveAll(tmp)
	}
	fail := func(err error) (func(), error) {
		stop()
		return nil, err
	}

	env := map[string]string{
		"HOME":            tmp + "/home",
		"XDG_DATA_HOME":   tmp + "/data",
		"XDG_CONFIG_HOME": tmp + "/config",
		"XDG_CACHE_HOME":  tmp + "/cache",
		"XDG_RUNTIME_DIR": tmp + "/run",
	}
	for k, dir := range env {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fail(err)
		}
		os.Setenv(k, dir)
	}

	// The bus. --nofork keeps it our child, so we know whom to stop.
	bus := exec.Command(dbusDaemon, "--session", "--nofork", "--nopidfile",
		"--print-address=1", "--address=unix:path="+tmp+"/bus")
	bus.SysProcAttr = daemonProcAttr()
	var busErr bytes.Buffer
	bus.Stderr = &busErr
	out, err := bus.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := bus.Start(); err != nil {
		return fail(fmt.Errorf("start dbus-daemon: %w", err))
	}
	cleanups = append(cleanups, func() { terminate(bus) })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fail(fmt.Errorf("dbus-daemon printed no address (%v): %s", err, busErr.String()))
	}
	addr = strings.TrimSpace(addr)
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	conn, err := dbus.Connect(addr)
	if err != nil {
		return fail(fmt.Errorf("connect to the private bus: %w", err))
	}
	cleanups = append(cleanups, func() { conn.Close() })
	// Watch for the Secret Service name before starting its owner.
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, "org.freedesktop.secrets")); err != nil {
		return fail(err)
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)

	// The keyring. --unlock reads the password from stdin up to EOF.
	keyring := exec.Command(gkd, "--foreground", "--unlock", "--components=secrets")
	keyring.SysProcAttr = daemonProcAttr()
	keyring.Stdin = strings.NewReader(testPassword)
	var keyringOut bytes.Buffer
	keyring.Stdout, keyring.Stderr = &keyringOut, &keyringOut
	if err := keyring.Start(); err != nil {
		return fail(fmt.Errorf("start gnome-keyring-daemon: %w", err))
	}
	cleanups = append(cleanups, func() { terminate(keyring) })

	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
wait:
	for {
		var has bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&has); err != nil {
			return fail(err)
		}
		if has {
			break
		}
		select {
		case <-signals:
		case <-timeout.C:
			break wait
		}
	}
	if err := checkLoginCollection(conn); err != nil {
		return fail(fmt.Errorf("%w; gnome-keyring-daemon said: %s", err, keyringOut.String()))
	}
	return stop, nil
}

// checkLoginCollection checks that the Secret Service offers an unlocked
// collection "login", the one go-keyring picks.
func checkLoginCollection(conn *dbus.Conn) error {
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	v, err := svc.GetProperty("org.freedesktop.Secret.Service.Collections")
	if err != nil {
		return fmt.Errorf("gnome-keyring-daemon does not answer as the Secret Service: %w", err)
	}
	const login = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	paths, _ := v.Value().([]dbus.ObjectPath)
	found := false
	for _, p := range paths {
		found = found || p == login
	}
	if !found {
		return fmt.Errorf("the Secret Service has no collection %q (has %v)", login, paths)
	}
	locked, err := conn.Object("org.freedesktop.secrets", login).GetProperty("org.freedesktop.Secret.Collection.Locked")
	if err != nil {
		return err
	}
	if b, _ := locked.Value().(bool); b {
		return errors.New("the Secret Service's login collection is locked")
	}
	return nil
}

// terminate stops a daemon we started and reaps it.
func terminate(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}
