package oauth2client

// NewAccessTokenCredentials returns credentials holding an access token
// obtained elsewhere (Python oauth2client's AccessTokenCredentials). They
// never refresh: once the token is rejected, Refresh and TokenRejected fail
// with an error wrapping [ErrCannotRefresh]. userAgent, when set, is sent
// with requests the credentials make (revocation, token info). Their JSON
// names the class "AccessTokenCredentials", which Python reads back.
func NewAccessTokenCredentials(accessToken, userAgent string) *Credentials {
	c := NewCredentials(CredentialsConfig{UserAgent: userAgent}, &Token{AccessToken: accessToken})
	c.class = pyClass{name: classAccessToken, module: moduleClient}
	return c
}
