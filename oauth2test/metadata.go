package oauth2test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// The GCE metadata server emulation, served when [Options].Metadata is set.
// Tests reach it by setting GCE_METADATA_HOST to the server's host:port.
const (
	// PathMetadataRoot is the metadata server's root; it answers with
	// Metadata-Flavor: Google, as the "on GCE?" probe expects.
	PathMetadataRoot = "/"
	// PathMetadataServiceAccounts prefixes the per-account paths:
	// {account}/token, {account}/identity, {account}/email and
	// {account}/scopes, where account is "default" or the account's email.
	PathMetadataServiceAccounts = "/computeMetadata/v1/instance/service-accounts/"
	// PathMetadataProjectID answers the project id as plain text.
	PathMetadataProjectID = "/computeMetadata/v1/project/project-id"
)

// Values of the emulated instance.
const (
	// MetadataProjectID is the project id the metadata server reports.
	MetadataProjectID = "oauth2test-project"
	// MetadataServiceAccount is the email of the instance's default
	// service account.
	MetadataServiceAccount = "default-sa@oauth2test-project.iam.gserviceaccount.com"
	// MetadataDefaultScope is the scope of the instance's tokens when a
	// token request names none.
	MetadataDefaultScope = "https://www.googleapis.com/auth/cloud-platform"
	// metadataClientID is the client id recorded for the metadata
	// server's grants.
	metadataClientID = "gce-metadata"
)

// registerMetadata adds the metadata paths to mux.
func (s *Server) registerMetadata(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.metadata(func(w http.ResponseWriter, r *http.Request) {
		writeText(w, "computeMetadata/\n")
	}))
	mux.HandleFunc("GET "+PathMetadataProjectID, s.metadata(func(w http.ResponseWriter, r *http.Request) {
		writeText(w, MetadataProjectID)
	}))
	mux.HandleFunc("GET "+PathMetadataServiceAccounts+"{account}/{item}", s.metadata(s.serveMetadataAccount))
}

// metadata wraps a metadata handler: a request without
// "Metadata-Flavor: Google" is refused with 403, as the real server does,
// and every answer carries the header.
func (s *Server) metadata(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Metadata-Flavor", "Google")
		if r.Header.Get("Metadata-Flavor") != "Google" {
			http.Error(w, "Missing required header \"Metadata-Flavor\": \"Google\"", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

// writeText writes a plain-text 200 answer.
func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/text")
	w.Write([]byte(text))
}

// serveMetadataAccount answers the per-account items.
func (s *Server) serveMetadataAccount(w http.ResponseWriter, r *http.Request) {
	account := r.PathValue("account")
	if account != "default" && account != MetadataServiceAccount {
		http.NotFound(w, r)
		return
	}
	switch r.PathValue("item") {
	case "email":
		writeText(w, MetadataServiceAccount)
	case "scopes":
		writeText(w, MetadataDefaultScope+"\n")
	case "token":
		scopes := []string{MetadataDefaultScope}
		if v := r.URL.Query().Get("scopes"); v != "" {
			scopes = slices.DeleteFunc(strings.Split(v, ","), func(s string) bool { return s == "" })
		}
		s.mu.Lock()
		g := s.newGrant(metadataClientID, MetadataServiceAccount, scopes)
		tok, exp := s.issueAccess(g, scopes, s.opts.TokenTTL)
		ttl := exp.Sub(s.now())
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": tok,
			"expires_in":   int64(ttl / time.Second),
			"token_type":   "Bearer",
		})
	case "identity":
		aud := r.URL.Query().Get("audience")
		if aud == "" {
			http.Error(w, "non-empty audience parameter required", http.StatusBadRequest)
			return
		}
		raw, err := s.serviceAccountIDToken(MetadataServiceAccount, aud, r.URL.Query().Get("format") == "full")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeText(w, raw)
	default:
		http.NotFound(w, r)
	}
}

// serviceAccountIDToken signs an ID token for a service account and an
// audience, as Google issues them: sub and azp are the account's numeric
// id (the client_id of a registered account), email and email_verified
// only with withEmail.
func (s *Server) serviceAccountIDToken(email, audience string, withEmail bool) (string, error) {
	s.mu.Lock()
	now := s.now()
	s.metrics.issued["id_token"]++
	id := numericID(email)
	if a := s.serviceAccounts[email]; a != nil {
		id = a.clientID
	}
	s.mu.Unlock()
	claims := map[string]any{
		"iss": s.URL,
		"sub": id,
		"aud": audience,
		"azp": id,
		"iat": now.Unix(),
		"exp": now.Add(min(s.opts.TokenTTL, time.Hour)).Unix(),
	}
	if withEmail {
		claims["email"] = email
		claims["email_verified"] = true
	}
	raw, err := jose.Sign(s.key, s.keyID, "JWT", claims)
	if err != nil {
		return "", fmt.Errorf("oauth2test: sign ID token: %w", err)
	}
	return raw, nil
}

// numericID derives a stable 21-digit id from an email, shaped like the
// unique ids of Google service accounts.
func numericID(email string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(email); i++ {
		h ^= uint64(email[i])
		h *= 1099511628211
	}
	return "1" + fmt.Sprintf("%020s", strconv.FormatUint(h, 10))
}

// Labels under which [Server.Requests] and /metrics count the metadata and
// IAM paths that name an account.
const (
	// PathMetadataToken counts the token requests of every account.
	PathMetadataToken = PathMetadataServiceAccounts + "{account}/token"
	// PathMetadataIdentity counts the ID token requests of every account.
	PathMetadataIdentity = PathMetadataServiceAccounts + "{account}/identity"
	// PathIAMGenerateAccessToken counts generateAccessToken calls.
	PathIAMGenerateAccessToken = PathIAMServiceAccounts + "{email}:generateAccessToken"
	// PathIAMGenerateIDToken counts generateIdToken calls.
	PathIAMGenerateIDToken = PathIAMServiceAccounts + "{email}:generateIdToken"
	// PathIAMSignBlob counts signBlob calls.
	PathIAMSignBlob = PathIAMServiceAccounts + "{email}:signBlob"
)

// patternOf returns the counting label of a path naming an account, with
// the account replaced by a placeholder, so labels stay few.
func patternOf(path string) (string, bool) {
	switch {
	case path == PathMetadataRoot || path == PathMetadataProjectID:
		return path, true
	case strings.HasPrefix(path, PathMetadataServiceAccounts):
		rest := strings.TrimPrefix(path, PathMetadataServiceAccounts)
		if _, item, ok := strings.Cut(rest, "/"); ok && !strings.Contains(item, "/") {
			return PathMetadataServiceAccounts + "{account}/" + metadataItem(item), true
		}
	case strings.HasPrefix(path, PathIAMServiceAccounts):
		rest := strings.TrimPrefix(path, PathIAMServiceAccounts)
		if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest, "/") {
			switch m := rest[i+1:]; m {
			case "generateAccessToken", "generateIdToken", "signBlob":
				return PathIAMServiceAccounts + "{email}:" + m, true
			}
		}
	}
	return "", false
}

// metadataItem keeps the known per-account items and folds the others.
func metadataItem(item string) string {
	switch item {
	case "token", "identity", "email", "scopes":
		return item
	}
	return "(other)"
}
