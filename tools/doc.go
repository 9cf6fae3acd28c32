// Package tools gets user credentials interactively for command-line
// programs: [RunFlow] is Python oauth2client's tools.run_flow.
//
// # The loopback redirect
//
// RunFlow listens on a loopback address only (127.0.0.1, or ::1), on an
// ephemeral port by default (RFC 8252 §7.3) or on the first free port of
// [Options].Ports, and sends the user to the authorization page with the
// redirect URI http://127.0.0.1:PORT/ (the host from [Options].HostName,
// the path from [Options].CallbackPath or the flow's loopback RedirectURL).
// It opens the browser unless [Options].NoBrowser is set, and always prints
// the URL on a line of its own to [Options].Stderr, so the user can open it
// elsewhere. The authorization server must accept loopback redirects with
// any port, as Google's installed-app clients and RFC 8252 native clients
// do.
//
// The loopback server answers requests to other paths (a browser asks for
// /favicon.ico) with 404, and a redirect with a wrong state with an error
// page, without ending the wait. The first redirect with the right state
// decides: the code is exchanged (see [oauth2client.Flow.ExchangeCallback])
// and the browser shows "The authentication flow has completed. You may
// close this window." ([SuccessPage]) or an error page for error=...
// RunFlow waits at most [Options].Timeout (five minutes by default);
// cancelling its context (Ctrl-C in a CLI, via signal.NotifyContext) shuts
// the server down at once.
//
// # Without a local web server
//
// When the loopback server cannot listen, or [Options].NoLocalWebServer is
// set (the browser runs on another machine), RunFlow uses the device
// authorization grant (RFC 8628) if the flow's endpoint has a
// DeviceAuthURL: it prints the verification URI and the user code (and
// verification_uri_complete, which carries the code) and polls as
// [oauth2client.Flow.PollDevice] does. Otherwise it prints the
// authorization URL with a loopback redirect URI (or the flow's configured
// RedirectURL) and reads from [Options].Stdin the address the browser was
// finally sent to, or just the code. [Options].Device asks for the device
// flow directly.
//
// # Storage
//
// With a non-nil [store.Store], RunFlow saves the credentials under the
// given key and returns them bound to that entry
// ([store.BindCredentials]), so later refreshes are stored as well.
//
// # Flags
//
// [RegisterFlags] adds --auth-host-name, --auth-host-port,
// --noauth-local-webserver and --logging-level to a standard
// [flag.FlagSet], so a host program keeps its own flags;
// [Flags.Options] turns their values into [Options].
//
// # Secrets
//
// Nothing RunFlow prints or logs carries an authorization code, token,
// PKCE verifier or device code; the device flow shows only the user code.
package tools
