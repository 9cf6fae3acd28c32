// Package oauth2adapt converts tokens and token sources between
// oauth2client and golang.org/x/oauth2, so that code written for either
// works with the other.
//
// # Token sources
//
// [TokenSourceToOAuth2] lets an x/oauth2 consumer (oauth2.Transport, or a
// Google API client taking option.WithTokenSource) use an
// [oauth2client.TokenSource] such as [oauth2client.Credentials]. x/oauth2's
// Token method takes no context, so the adapted source is called with
// [context.Background]. Use it with an oauth2.Transport directly: wrapping it
// in oauth2.ReuseTokenSource (as oauth2.NewClient and Config.Client do) adds
// nothing, since oauth2client's sources already cache and refresh ahead of
// expiry, and ReuseTokenSource's fixed 10-second expiry delta makes tokens
// shorter than that look expired on arrival.
//
// [TokenSourceFromOAuth2] goes the other way. The context given to its
// Token method is checked before the call but cannot cancel the x/oauth2
// call itself, which uses the context its source was built with.
//
// # Tokens
//
// [TokenToOAuth2] and [TokenFromOAuth2] convert single tokens. The ID token
// and the granted scopes travel in x/oauth2's "extra" fields ("id_token",
// "scope"), where x/oauth2 keeps them too.
package oauth2adapt
