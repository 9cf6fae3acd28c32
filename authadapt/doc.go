// Package authadapt adapts between oauth2client and cloud.google.com/go/auth,
// the library the newer Google Cloud Go clients take their credentials from
// (option.WithAuthCredentials, or a client's own AuthCredentials option).
//
// [NewCredentials] turns any [oauth2client.TokenSource] (user credentials
// bound to a store, a service account, Application Default Credentials, a
// token exchange) into an *auth.Credentials; [TokenProvider] gives the bare
// auth.TokenProvider. [TokenSource] goes the other way: any
// auth.TokenProvider, an *auth.Credentials among them, serves
// oauth2client's Transport and everything else that takes a TokenSource.
//
// cloud.google.com/go/auth sends every token as a bearer token: it cannot
// sign DPoP proofs nor present a bound certificate. So a sender-constrained
// token (a token type other than Bearer, or one from credentials that
// present a TLS client certificate) is refused with [ErrSenderConstrained]
// rather than sent where it would be rejected; use oauth2client's own
// Transport (creds.Client) for those.
//
// This package is a module of its own, so that the main module does not
// depend on cloud.google.com/go/auth and what it brings (gRPC,
// OpenTelemetry).
package authadapt
