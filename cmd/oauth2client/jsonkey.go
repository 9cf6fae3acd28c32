package main

import (
	"encoding/json"
	"strings"

	"github.com/oauth2client/oauth2client/store"
)

// canonicalKey returns the store key for a --key value: a JSON object,
// such as the dict key of a Python multistore entry, becomes its
// canonical JSON (keys sorted, compact; see store.CanonicalJSON), so that
// it finds its entry whatever its key order or spacing; {"key": S} alone
// is S, as the file store reads it. Any other value is returned as it is.
func canonicalKey(key string) string {
	if !strings.HasPrefix(strings.TrimSpace(key), "{") {
		return key
	}
	dec := json.NewDecoder(strings.NewReader(key))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return key
	}
	if s, ok := m["key"].(string); ok && len(m) == 1 {
		return s
	}
	c, err := store.CanonicalJSON(m)
	if err != nil {
		return key
	}
	return c
}
