package oauth2client

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"strings"
)

// redacted replaces the value of a secret field in [Error.Body].
const redacted = "[redacted]"

// redactBody returns the body of an answer as [Error.Body] keeps it: at
// most maxErrorBody bytes, with the value of every secret field (see
// secretField) replaced by "[redacted]", at any depth of a JSON body or in
// a form-encoded one. A body that cannot be parsed is kept as it is only
// if it names no secret field; else it is dropped (nil). A token response
// that failed to parse carries the tokens it issued: they must not reach
// whoever prints or reports the error.
func redactBody(contentType string, body []byte) []byte {
	if len(body) == 0 {
		return nil
	}
	out, ok := redactJSON(body)
	if !ok {
		out, ok = redactForm(contentType, body)
	}
	if !ok {
		if mentionsSecret(body) {
			return nil
		}
		out = body
	}
	return bytes.Clone(out[:min(len(out), maxErrorBody)])
}

// redactJSON redacts a body that is one JSON value, re-encoded with its
// object keys sorted. It reports false when body is not JSON.
func redactJSON(body []byte) ([]byte, bool) {
	if !json.Valid(body) {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redactValue(v)); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), true
}

// redactValue replaces the secret fields of the objects in v, a decoded
// JSON value, whatever their values' types.
func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secretField(k) {
				v[k] = redacted
			} else {
				v[k] = redactValue(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redactValue(x)
		}
	}
	return v
}

// redactForm redacts a form-encoded body, when contentType says it is one
// (as decodeTokenBody reads it). It reports false otherwise.
func redactForm(contentType string, body []byte) ([]byte, bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/x-www-form-urlencoded" && mt != "text/plain" {
		return nil, false
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	for k, vs := range vals {
		if secretField(k) {
			for i := range vs {
				vs[i] = redacted
			}
		}
	}
	return []byte(vals.Encode()), true
}

// secretField reports whether a response field holds a secret: any name
// ending in "token" (access_token, refresh_token, id_token, issued tokens,
// camelCase spellings), the device code, and the request's own secrets
// should a server echo them (client_secret, code, code_verifier,
// assertions, password). Case, "_" and "-" are ignored.
func secretField(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	switch n {
	case "devicecode", "clientsecret", "secret", "code", "codeverifier",
		"assertion", "clientassertion", "password":
		return true
	}
	return strings.HasSuffix(n, "token")
}

// secretMarks are the spellings of secret field names that make an
// unparsable body unfit to keep.
var secretMarks = []string{
	"token", "device_code", "devicecode", "secret", "password", "assertion",
	"code_verifier", "code=", `code"`,
}

// mentionsSecret reports whether body names a secret field anywhere.
func mentionsSecret(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, m := range secretMarks {
		if bytes.Contains(lower, []byte(m)) {
			return true
		}
	}
	return false
}
