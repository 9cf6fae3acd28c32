package idtoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Claims are the verified claims of an ID token (OpenID Connect Core 1.0
// §2). Fields hold the standard claims; [Claims.Unmarshal] decodes any
// others.
type Claims struct {
	Issuer          string    // "iss"
	Subject         string    // "sub"
	Audience        []string  // "aud"
	AuthorizedParty string    // "azp"
	Expiry          time.Time // "exp"
	IssuedAt        time.Time // "iat"
	NotBefore       time.Time // "nbf"; zero when absent
	Nonce           string    // "nonce"
	AccessTokenHash string    // "at_hash"
	Email           string    // "email"
	EmailVerified   bool      // "email_verified" (Google sends it as a string too)
	// KeyID and Algorithm come from the token's verified header.
	KeyID, Algorithm string

	payload []byte
}

// Unmarshal decodes the token's claims object into v, as json.Unmarshal.
func (c *Claims) Unmarshal(v any) error { return json.Unmarshal(c.payload, v) }

// Map returns every claim, numbers as json.Number.
func (c *Claims) Map() (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(c.payload))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	return m, nil
}

// wireClaims is the JSON shape of the claims read here.
type wireClaims struct {
	Iss           string       `json:"iss"`
	Sub           string       `json:"sub"`
	Aud           audience     `json:"aud"`
	Azp           string       `json:"azp"`
	Exp           *numericDate `json:"exp"`
	Iat           *numericDate `json:"iat"`
	Nbf           *numericDate `json:"nbf"`
	Nonce         string       `json:"nonce"`
	AtHash        string       `json:"at_hash"`
	Email         string       `json:"email"`
	EmailVerified flexBool     `json:"email_verified"`
}

// audience is "aud": one string or an array of strings (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = l
	return nil
}

// numericDate is a NumericDate (RFC 7519 §2): seconds since the epoch,
// possibly fractional.
type numericDate struct{ t time.Time }

func (n *numericDate) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return errors.New("not a NumericDate")
	}
	sec, frac := math.Modf(f)
	n.t = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// flexBool accepts true, false, "true" and "false".
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", `"true"`:
		*f = true
	case "false", `"false"`, "null":
		*f = false
	default:
		return errors.New("not a boolean")
	}
	return nil
}
