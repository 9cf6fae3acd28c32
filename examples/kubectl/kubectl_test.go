package kubectl

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// buildCLI builds the oauth2client command into a temporary folder.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "oauth2client")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/oauth2client")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/oauth2client: %v\n%s", err, out)
	}
	return bin
}

// login runs "oauth2client login --no-browser" with flags and follows the
// URL it prints, which the auto-approving server redirects to login's
// loopback server.
func login(t *testing.T, bin string, flags ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"login", "--no-browser"}, flags...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		text.WriteString(line + "\n")
		if strings.HasPrefix(line, "http://") && !strings.Contains(line, " ") {
			resp, err := http.Get(line)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, text.String())
	}
}

// apiServer is a stand-in for a Kubernetes API server: it answers /version
// to requests with a bearer token, which it keeps in seen.
func apiServer(t *testing.T, seen *atomic.Value) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			http.Error(w, "no bearer token", http.StatusUnauthorized)
			return
		}
		seen.Store(tok)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"major": "1", "minor": "37", "gitVersion": "v1.37.0"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// readmeKubeconfig returns the kubeconfig of README.md's section
// "kubectl".
func readmeKubeconfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n### kubectl\n")
	if !ok {
		t.Fatal("README.md has no section kubectl")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("README.md's section kubectl has no yaml block")
	}
	block, _, _ = strings.Cut(block, "```")
	return block
}

// TestClientGoExecPlugin (issue 12, ecosystem item 2): client-go's exec
// plugin code, configured by the kubeconfig README.md shows, runs
// "oauth2client token --format exec-credential" and sends the access token
// that login stored as the bearer token of its requests; before the login
// the plugin fails, since client-go gives it no terminal here.
func TestClientGoExecPlugin(t *testing.T) {
	bin := buildCLI(t)
	idp := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, TokenTTL: time.Hour})
	t.Cleanup(idp.Close)
	const clientID = "kubernetes" // as in README.md
	if err := idp.RegisterClient(oauth2test.Client{ID: clientID, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodNone}); err != nil {
		t.Fatal(err)
	}
	// The default store, in a config folder of the test's own.
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("NO_GCE_CHECK", "true")
	flags := []string{"--issuer", idp.URL, "--client-id", clientID, "--scope", "openid offline_access"}

	var seen atomic.Value
	api := apiServer(t, &seen)
	kubeconfig := strings.NewReplacer(
		"https://kube.example:6443", api.URL,
		"BASE64-PEM", caData(api),
		"command: oauth2client", "command: "+bin,
		"https://issuer.example", idp.URL,
	).Replace(readmeKubeconfig(t))
	cfg, err := clientcmd.RESTConfigFromKubeConfig([]byte(kubeconfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ExecProvider == nil {
		t.Fatal("the kubeconfig names no exec plugin")
	}

	if _, err = serverVersion(cfg); err == nil || !strings.Contains(err.Error(), "exit code 1") {
		t.Fatalf("before login: %v, want the plugin's failure", err)
	}

	login(t, bin, flags...)
	want := plugin(t, bin, flags...)
	info, err := serverVersion(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if info != "v1.37.0" {
		t.Errorf("server version %q", info)
	}
	if got, _ := seen.Load().(string); got == "" || got != want {
		t.Errorf("the API server got another bearer token than the stored access token (%d and %d bytes)", len(got), len(want))
	}
}

// serverVersion asks the API server's version through client-go, whose
// exec plugin code authenticates the request.
func serverVersion(cfg *rest.Config) (string, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", err
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

// plugin runs the plugin's command line by hand and returns the token of
// its ExecCredential.
func plugin(t *testing.T, bin string, flags ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"token", "--format", "exec-credential"}, flags...)...)
	cmd.Env = append(os.Environ(), `KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var ec struct {
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal(out, &ec); err != nil {
		t.Fatal(err)
	}
	return ec.Status.Token
}

// caData is the kubeconfig's certificate-authority-data for srv.
func caData(srv *httptest.Server) string {
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}
