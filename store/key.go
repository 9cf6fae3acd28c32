package store

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ClassicKey returns the string key under which Python oauth2client's
// multistore_file (contrib.multistore_file) kept credentials for a client
// ID, user agent and scopes: the key dict {clientId, userAgent, scope},
// with the scopes joined by spaces in the order given, written as compact
// JSON with sorted keys, e.g. {"clientId":"c","scope":"a b","userAgent":"ua"}.
//
// Stores that read multistore (version 1) files, such as store/file, map
// the classic dict key of an entry to this string and back, so
// ClassicKey(id, ua, scopes) finds the entry Python's
// multistore_file.get_credential_storage(filename, id, ua, scopes) wrote.
// A Python user agent of None is the dict value null, which no ClassicKey
// produces; such an entry's key is still that dict's canonical JSON (see
// CanonicalJSON).
func ClassicKey(clientID, userAgent string, scopes []string) string {
	k, _ := CanonicalJSON(map[string]any{
		"clientId":  clientID,
		"userAgent": userAgent,
		"scope":     strings.Join(scopes, " "),
	})
	return k
}

// CanonicalJSON returns v as compact JSON with object keys sorted and
// without HTML escaping: the string form of a dict key of a multistore
// file. v is typically a map[string]any decoded with json.Decoder.UseNumber,
// so that numbers keep their spelling.
func CanonicalJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
