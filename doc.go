// Package oauth2client is an OAuth 2.0 and OpenID Connect client: flows,
// credentials that refresh and persist, and authorized HTTP.
//
// # Flows
//
// A [Flow] builds the authorization URL (with state and PKCE S256 by
// default) and exchanges the code the user brings back for [Credentials].
// A Flow comes from a client_secrets.json file ([LoadClientSecrets]), from an
// explicit [Config], or from an issuer found by [Discover]. Devices without
// a browser use the device authorization grant (RFC 8628):
// [Flow.DeviceAuth], then [Flow.PollDevice]. Package tools runs the whole
// flow for command-line programs, with a loopback redirect.
//
// # Tokens
//
// A [TokenSource] supplies tokens. [Credentials] refresh ahead of expiry
// without stalling callers, tell listeners of each new token, revoke, and
// read and write the JSON that Python's oauth2client wrote.
//
// # Storage
//
// Package store keeps credentials in files (also Python oauth2client's),
// the OS keyring, SQLite or PostgreSQL; credentials bound to a store refresh
// inside an atomic read-modify-write, so many processes make one refresh.
//
// # Authorized HTTP
//
// [Transport] and [NewClient] apply tokens to requests and retry once after a
// 401. Package oauth2adapt converts to and from golang.org/x/oauth2.
package oauth2client
