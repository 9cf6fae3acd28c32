package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// User is the signed-in user: claims of the ID token verified at sign-in.
type User struct {
	// Issuer and Subject identify the user ("iss" and "sub").
	Issuer  string `json:"iss"`
	Subject string `json:"sub"`
	// Email, EmailVerified and Name are the "email", "email_verified"
	// and "name" claims, when the provider sent them.
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	// Key is the user's entry in Config.Store ([UserKey]).
	Key string `json:"-"`
}

// userExtension names the stored credentials' extension field holding the
// User, so that a replica reading the entry knows who it belongs to.
const userExtension = "web_user"

// UserKey returns the store key of a user's credentials: the canonical
// JSON ([store.CanonicalJSON]) of the issuer, the client and the user's
// subject, e.g. {"client_id":"c","iss":"https://issuer","sub":"123"}.
// Subjects are unique per issuer only, and the credentials belong to one
// client.
func UserKey(issuer, clientID, subject string) string {
	k, _ := store.CanonicalJSON(map[string]string{"iss": issuer, "client_id": clientID, "sub": subject})
	return k
}

// userFromClaims returns the user of verified ID token claims; ok is false
// when they lack "sub" or "iss".
func userFromClaims(claims map[string]any) (u *User, ok bool) {
	str := func(k string) string { s, _ := claims[k].(string); return s }
	u = &User{Issuer: str("iss"), Subject: str("sub"), Email: str("email"), Name: str("name")}
	u.EmailVerified, _ = claims["email_verified"].(bool)
	return u, u.Issuer != "" && u.Subject != ""
}

// completeFromUserInfo fills the email and name u lacks from the
// provider's UserInfo endpoint, when it has one: many providers put these
// claims in the ID token only when the authorization response carries
// it, and in UserInfo otherwise (OIDC Core §5.4). UserInfo's "sub" must be
// the ID token's (Credentials.UserInfo checks it). A failure leaves u as
// it is: the sign-in stands on the verified ID token alone.
func (a *App) completeFromUserInfo(ctx context.Context, u *User, creds *oauth2client.Credentials) {
	if (u.Email != "" && u.Name != "") || creds.Config().UserInfoURI == "" {
		return
	}
	claims, err := creds.UserInfo(ctx)
	if err != nil {
		a.log.DebugContext(ctx, "web: userinfo at sign-in failed; the user has only the ID token's claims", "err", err.Error())
		return
	}
	more, _ := userFromClaims(claims)
	if u.Email == "" {
		u.Email, u.EmailVerified = more.Email, more.EmailVerified
	}
	if u.Name == "" {
		u.Name = more.Name
	}
}

// userFromState returns the user recorded with stored credentials, or
// nil.
func userFromState(st *oauth2client.CredentialsState) *User {
	raw, ok := st.Extensions[userExtension]
	if !ok {
		return nil
	}
	var u User
	if json.Unmarshal(raw, &u) != nil || u.Subject == "" {
		return nil
	}
	return &u
}

// ctxKey is the context key of the signed-in user's entry.
type ctxKey struct{}

// entryFrom returns the entry Required or Aware put in ctx, or nil.
func entryFrom(ctx context.Context) *entry {
	e, _ := ctx.Value(ctxKey{}).(*entry)
	return e
}

// UserFrom returns the signed-in user of a request that went through
// [App.Required] or [App.Aware]; ok is false when no one is signed in.
// The User must not be modified.
func UserFrom(ctx context.Context) (u *User, ok bool) {
	if e := entryFrom(ctx); e != nil {
		return e.user, true
	}
	return nil, false
}

// CredentialsFrom returns the signed-in user's credentials, bound to
// their entry in Config.Store: a refresh takes the entry's refresh lock
// and adopts a token another replica stored, so a token is refreshed once
// across replicas. Nil when no one is signed in.
func CredentialsFrom(ctx context.Context) *oauth2client.Credentials {
	if e := entryFrom(ctx); e != nil {
		return e.creds
	}
	return nil
}

// ClientFrom returns an *http.Client that authorizes its requests with
// the signed-in user's credentials (see [CredentialsFrom]), or nil when
// no one is signed in.
func ClientFrom(ctx context.Context) *http.Client {
	if e := entryFrom(ctx); e != nil {
		return e.client
	}
	return nil
}

// ScopesFrom returns the scopes the signed-in user has granted, or nil.
// The slice must not be modified.
func ScopesFrom(ctx context.Context) []string {
	if e := entryFrom(ctx); e != nil {
		return e.scopes
	}
	return nil
}
