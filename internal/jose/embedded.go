package jose

import (
	"crypto"
	"fmt"
)

// VerifyEmbedded parses compact with allowed algorithms and verifies it with
// the public key its header's "jwk" carries. It returns the payload, the
// header and that key. A "jwk" holding private material is refused.
func VerifyEmbedded(compact string, allowed []string) ([]byte, Header, crypto.PublicKey, error) {
	j, err := Parse(compact, allowed)
	if err != nil {
		return nil, Header{}, nil, err
	}
	jwk := j.obj.Signatures[0].Protected.JSONWebKey
	if jwk == nil || !jwk.Valid() {
		return nil, j.Header, nil, fmt.Errorf("%w: no jwk in header", ErrMalformed)
	}
	if !jwk.IsPublic() {
		return nil, j.Header, nil, fmt.Errorf("%w: private key in jwk header", ErrMalformed)
	}
	set, err := NewKeySet(Key{KID: j.Header.KID, Public: jwk.Key})
	if err != nil {
		return nil, j.Header, nil, err
	}
	payload, err := j.Verify(set)
	if err != nil {
		return nil, j.Header, nil, err
	}
	return payload, j.Header, jwk.Key, nil
}
