package oauth2test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PathIAMServiceAccounts prefixes the IAM Credentials API emulation:
// POST {PathIAMServiceAccounts}{email}:generateAccessToken,
// POST {PathIAMServiceAccounts}{email}:generateIdToken and
// POST {PathIAMServiceAccounts}{email}:signBlob, relative to
// [Server.URL], which is then the API's base URL.
const PathIAMServiceAccounts = "/v1/projects/-/serviceAccounts/"

// maxIAMLifetime is the longest lifetime generateAccessToken grants.
const maxIAMLifetime = time.Hour

// iamError writes an error in the shape of Google APIs:
// {"error": {"code", "message", "status"}}.
func iamError(w http.ResponseWriter, code int, status, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// serveIAM answers generateAccessToken and generateIdToken for any
// service account email, and signBlob for an account registered with
// [Server.RegisterServiceAccount] (signed with its key, whose id is the
// answer's keyId), for a caller with a valid bearer token of this server
// (the caller's right to impersonate is not checked).
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	email, method, ok := strings.Cut(r.PathValue("call"), ":")
	if !ok || !strings.Contains(email, "@") {
		iamError(w, http.StatusNotFound, "NOT_FOUND", "unknown method or service account")
		return
	}
	tok := bearerToken(r)
	s.mu.Lock()
	valid := tok != "" && s.validAccess(tok) != nil
	s.mu.Unlock()
	if !valid {
		iamError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "request had invalid authentication credentials")
		return
	}
	var req struct {
		Delegates    []string `json:"delegates"`
		Scope        []string `json:"scope"`
		Lifetime     string   `json:"lifetime"`
		Audience     string   `json:"audience"`
		IncludeEmail bool     `json:"includeEmail"`
		Payload      []byte   `json:"payload"` // base64 in JSON
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			iamError(w, http.StatusRequestEntityTooLarge, "INVALID_ARGUMENT", "request body too large")
			return
		}
		iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid JSON payload")
		return
	}
	for _, d := range req.Delegates {
		if !strings.HasPrefix(d, "projects/-/serviceAccounts/") {
			iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "delegates must be projects/-/serviceAccounts/EMAIL")
			return
		}
	}
	switch method {
	case "generateAccessToken":
		if len(req.Scope) == 0 {
			iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "scope must not be empty")
			return
		}
		ttl := time.Hour
		if req.Lifetime != "" {
			d, err := time.ParseDuration(req.Lifetime)
			if err != nil || !strings.HasSuffix(req.Lifetime, "s") || d <= 0 || d > maxIAMLifetime {
				iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "lifetime must be a duration in seconds, at most 3600s")
				return
			}
			ttl = d
		}
		s.mu.Lock()
		g := s.newGrant("iamcredentials", email, req.Scope)
		at, exp := s.issueAccess(g, req.Scope, ttl)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"accessToken": at, "expireTime": exp.UTC().Format(time.RFC3339)})
	case "generateIdToken":
		if req.Audience == "" {
			iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "audience must not be empty")
			return
		}
		raw, err := s.serviceAccountIDToken(email, req.Audience, req.IncludeEmail)
		if err != nil {
			iamError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": raw})
	case "signBlob":
		if req.Payload == nil {
			iamError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "payload must be set")
			return
		}
		kid, sig, err := s.signBlob(email, req.Payload)
		if err != nil {
			iamError(w, http.StatusNotFound, "NOT_FOUND", err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"keyId": kid, "signedBlob": base64.StdEncoding.EncodeToString(sig)})
	default:
		iamError(w, http.StatusNotFound, "NOT_FOUND", "unknown method")
	}
}

// signBlob signs payload as the IAM Credentials API does: RSASSA-PKCS1-v1_5
// over its SHA-256 digest, with the server-made key of the account email.
func (s *Server) signBlob(email string, payload []byte) (kid string, sig []byte, err error) {
	s.mu.Lock()
	a := s.serviceAccounts[email]
	var priv *rsa.PrivateKey
	if a != nil {
		priv, kid = a.priv, a.kid
	}
	s.mu.Unlock()
	if priv == nil {
		return "", nil, errors.New("no service account with a server-made key has this email")
	}
	sum := sha256.Sum256(payload)
	sig, err = rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", nil, fmt.Errorf("sign blob: %w", err)
	}
	return kid, sig, nil
}
