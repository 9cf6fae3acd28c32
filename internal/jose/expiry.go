package jose

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// UnverifiedExpiry returns the "exp" claim of a compact JWS read WITHOUT
// verifying its signature: only for a token the caller received straight
// from its issuer (a token endpoint, the metadata server), to know when to
// renew it. Recipients of the token verify it instead.
func UnverifiedExpiry(compact string) (time.Time, error) {
	if len(compact) > MaxCompactSize {
		return time.Time{}, fmt.Errorf("%w: JWS of %d bytes, limit %d", ErrTooLarge, len(compact), MaxCompactSize)
	}
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return time.Time{}, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	var claims struct {
		Exp json.RawMessage `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	raw := string(bytes.TrimSpace(claims.Exp))
	if raw == "" || raw == "null" {
		return time.Time{}, fmt.Errorf("%w: no exp claim", ErrMalformed)
	}
	exp, err := strconv.ParseFloat(raw, 64) // a JSON number only: no quotes
	if err != nil || math.IsNaN(exp) || exp <= 0 || exp > 1e11 {
		return time.Time{}, fmt.Errorf("%w: exp claim is not a time", ErrMalformed)
	}
	return time.Unix(int64(exp), 0), nil
}
