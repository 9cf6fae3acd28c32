package oauth2client

import "net/http"

// NewClient returns an *http.Client whose requests carry tokens from src,
// sent through base's transport (nil means http.DefaultClient). base's
// other settings (timeout, redirects, cookies) are kept.
func NewClient(src TokenSource, base *http.Client) *http.Client {
	panic("unimplemented")
}
