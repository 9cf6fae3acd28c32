// Package authadapt converts tokens, token sources and credentials between
// oauth2client and cloud.google.com/go/auth, the authentication library of
// the newer Google Cloud Go clients, which take credentials through
// option.WithAuthCredentials.
//
// [Credentials] wraps an [oauth2client.TokenSource] (stored
// [oauth2client.Credentials], a service account's source, Application
// Default Credentials from package google) as an *auth.Credentials;
// [TokenProvider] gives the bare auth.TokenProvider. [TokenSource] goes the
// other way: any auth.TokenProvider, *auth.Credentials included (such as
// those cloud.google.com/go/auth/credentials.DetectDefault finds), serves
// oauth2client's consumers: [oauth2client.Transport] and the rest.
//
// Neither direction adds a cache: oauth2client's sources refresh ahead of
// expiry themselves, and an auth.TokenProvider is wrapped as it is (wrap
// it in auth.NewCachedTokenProvider first if it does not cache). Contexts
// pass through unchanged both ways, except that cloud.google.com/go/auth's
// transports put a cache of their own in front of the credentials, which
// asks again in the background, with context.Background, once a token
// expires within 225 seconds (oauth2client's source answers from its own
// cache until it refreshes).
//
// A DPoP-bound token needs a proof for each request, which
// cloud.google.com/go/auth's transports do not make: [TokenProvider]
// refuses such tokens with [ErrProofBound] rather than send them as bearer
// tokens.
//
// This package is a module of its own, so that cloud.google.com/go/auth
// and what it requires (gRPC, OpenTelemetry) stay out of the builds of
// programs that use oauth2client without it.
package authadapt
