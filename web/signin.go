package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"

	"github.com/oauth2client/oauth2client"
)

// sessionsExtension names the stored credentials' extension field
// listing the ids of the user's live sign-ins (base64url), newest last.
// A session cookie names one; a session whose id the entry does not list
// is signed out, so deleting the entry at sign-out ends every session of
// the user for good: a new sign-in writes a new list.
const sessionsExtension = "web_sessions"

// maxSignIns bounds the live sign-ins of a user (browsers, devices): the
// oldest are forgotten first.
const maxSignIns = 10

// signInIDSize is the size of a sign-in id, in bytes.
const signInIDSize = 16

// newSignInID returns a new random sign-in id.
func newSignInID() string {
	b := make([]byte, signInIDSize)
	rand.Read(b)
	return string(b)
}

// signInsFromState returns the live sign-in ids (raw) recorded with
// stored credentials, or nil.
func signInsFromState(st *oauth2client.CredentialsState) []string {
	raw, ok := st.Extensions[sessionsExtension]
	if !ok {
		return nil
	}
	var enc []string
	if json.Unmarshal(raw, &enc) != nil {
		return nil
	}
	ids := make([]string, 0, len(enc))
	for _, s := range enc {
		if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && len(b) == signInIDSize {
			ids = append(ids, string(b))
		}
	}
	return ids
}

// withSignIn returns the extension value listing the sign-ins of prev
// (the entry stored before, nil for none) and id, the newest
// maxSignIns.
func withSignIn(prev *oauth2client.CredentialsState, id string) json.RawMessage {
	var ids []string
	if prev != nil {
		ids = signInsFromState(prev)
	}
	ids = append(ids, id)
	if len(ids) > maxSignIns {
		ids = ids[len(ids)-maxSignIns:]
	}
	enc := make([]string, len(ids))
	for i, s := range ids {
		enc[i] = base64.RawURLEncoding.EncodeToString([]byte(s))
	}
	b, _ := json.Marshal(enc)
	return b
}
