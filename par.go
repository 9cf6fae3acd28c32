package oauth2client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// maxRequestURI bounds the request_uri a PAR endpoint may answer with: it
// goes into a URL the browser follows.
const maxRequestURI = 2048

// usePAR reports whether the flow pushes its authorization requests.
func (f *Flow) usePAR() bool {
	return f.cfg.PAR || f.cfg.Endpoint.RequirePAR
}

// pushAuthorization sends the authorization parameters q to the pushed
// authorization request endpoint with client authentication (RFC 9126 §2)
// and returns the URL to send the user to: the authorization endpoint with
// only client_id and the request_uri of the answer (§4). A refusal or an
// unreadable answer is an [*Error] with Endpoint "pushed authorization".
func (f *Flow) pushAuthorization(ctx context.Context, q url.Values) (string, error) {
	const endpoint = "pushed authorization"
	client := f.client()
	resp, err := client.send(ctx, endpointCall{
		endpoint: endpoint, field: "Config.Endpoint.PushedAuthURL",
		url: f.cfg.Endpoint.PushedAuthURL, form: q, auth: true,
	})
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", newError(endpoint, resp, nil)
	}
	uri, err := parsePushAnswer(resp.Body)
	if err != nil {
		return "", newError(endpoint, resp, err)
	}
	return appendQuery(f.cfg.Endpoint.AuthURL, url.Values{
		"client_id":   {f.cfg.ClientID},
		"request_uri": {uri},
	}), nil
}

// parsePushAnswer reads the request_uri of a PAR endpoint's answer (RFC
// 9126 §2.2): a JSON object with a non-empty string request_uri of at most
// maxRequestURI bytes and a positive expires_in. Errors wrap
// ErrMalformedResponse.
func parsePushAnswer(body []byte) (string, error) {
	var answer struct {
		RequestURI *string `json:"request_uri"`
		ExpiresIn  *int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("%w: the answer is not a JSON object with a string request_uri and an integer expires_in", ErrMalformedResponse)
	}
	switch {
	case answer.RequestURI == nil || *answer.RequestURI == "":
		return "", fmt.Errorf("%w: no request_uri", ErrMalformedResponse)
	case len(*answer.RequestURI) > maxRequestURI:
		return "", fmt.Errorf("%w: request_uri longer than %d bytes", ErrMalformedResponse, maxRequestURI)
	case answer.ExpiresIn == nil || *answer.ExpiresIn <= 0:
		return "", fmt.Errorf("%w: expires_in missing or not positive", ErrMalformedResponse)
	}
	return *answer.RequestURI, nil
}

// appendQuery returns u with q added to its query.
func appendQuery(u string, q url.Values) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}

// checkPAR checks the PAR settings of a Config.
func (c *Config) checkPAR() error {
	if !c.PAR && !c.Endpoint.RequirePAR {
		return nil
	}
	if c.Endpoint.PushedAuthURL == "" {
		why := "PAR is set"
		if !c.PAR {
			why = "Endpoint.RequirePAR is set"
		}
		return fmt.Errorf("%s: missing, and %s", fieldPushedAuthURL, why)
	}
	if err := urlpolicy.CheckEndpoint(c.Endpoint.PushedAuthURL); err != nil {
		return fmt.Errorf("%s: %w", fieldPushedAuthURL, err)
	}
	return nil
}

// fieldPushedAuthURL names the PAR endpoint's field in Config errors.
const fieldPushedAuthURL = "Endpoint.PushedAuthURL"
