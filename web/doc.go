// Package web signs users in to a Go web application with OAuth 2.0 and
// OpenID Connect, and gives its handlers each user's credentials: the
// net/http counterpart of Python oauth2client's OAuth2Decorator
// (oauth_required, oauth_aware), its Django and Flask helpers.
//
// [New] takes a [Config]: where the provider is (client secrets, an issuer
// to discover, or an explicit flow config), the scopes of every sign-in,
// a store for the users' credentials (package store: a file, SQLite, or
// PostgreSQL shared by replicas), and the cookie keys. The app then gives:
//
//   - [App.Required](scopes...): middleware letting through only a
//     signed-in user who granted scopes; anyone else is sent to authorize
//     and comes back to the same URL. Asking for more scopes later
//     (incremental authorization) keeps those granted before. A request
//     that wants JSON gets 401 and the URL that starts the authorization.
//   - [App.Aware]: middleware that never redirects; the handler learns
//     whether someone is signed in and can link to [App.LoginURL].
//   - [App.Handler] (or [App.Register]): the login, callback and logout
//     handlers.
//   - [UserFrom], [CredentialsFrom], [ClientFrom] and [ScopesFrom], in a
//     handler: the user (claims of the ID token verified at sign-in), their
//     credentials bound to the store entry (a refresh is made once across
//     replicas), and an *http.Client for API calls.
//
// # Security
//
// A sign-in's state (the flow's [oauth2client.AuthState]: state, PKCE
// verifier, nonce) travels in a cookie of its own, sealed with AES-256-GCM
// and valid for Config.StateTTL: sign-ins in parallel tabs do not
// overwrite each other, a callback is accepted only in the browser that
// started it (login CSRF), and only once. The callback checks the state
// and the issuer (RFC 9207), exchanges the code with PKCE and verifies the
// ID token (signature, issuer, audience, expiry, nonce) with package
// idtoken.
//
// A browser keeps at most four pending sign-ins: starting a fifth
// expires the oldest state cookie. A request through [App.Required] that
// is not a top-level navigation (a fetch, an image: Sec-Fetch-Mode other
// than "navigate") or that wants JSON starts no sign-in and sets no
// cookie: it gets 401 and the URL to send the browser to.
//
// The session cookie is sealed too and holds only the user's store key,
// a random sign-in id and an expiry, never a token; it is HttpOnly,
// SameSite=Lax, and Secure with the "__Host-" prefix unless the app runs
// on plain-http loopback. A new one, with a new id, is set at every
// sign-in (no session fixation). The user's stored entry lists the ids of
// the user's live sign-ins (the newest ten: one per browser or device), and
// a session whose id it does not list is signed out. Signing out deletes
// the entry, so every session of the user ends, copies of the cookie
// included, and a later sign-in, which writes a new list, does not revive
// them; a sign-in in another browser adds its id and leaves the others
// signed in. Sign-out is a POST from the site's own pages (a GET of
// Config.LogoutPath shows a button): another site, a sibling subdomain
// or a link cannot sign the user out. The cookie keys rotate: the first
// seals, all open. return_to parameters must be paths on the site
// ([CheckReturnTo]): no open redirect. Every failure is an error page
// (Config.ErrorHandler), never a stack trace, and logs name no token,
// code or cookie.
//
// # Replicas and performance
//
// The only server-side state is the store: any replica sharing it and the
// cookie keys serves any request. Each replica keeps the credentials of
// the users it served in memory, so a request with a warm session reads no
// store (BenchmarkRequired: about 1 µs over the bare handler); it reads
// the store again after Config.RecheckInterval, and so notices a sign-out
// or a grant made through another replica, and at once when a session
// names a sign-in it does not know (one made through another replica).
// A sign-out drops the user from the memory of the replica serving it in
// a way no request racing it can undo.
package web
