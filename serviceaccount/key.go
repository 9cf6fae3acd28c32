package serviceaccount

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// GoogleTokenURI is Google's token endpoint, used when a key names none.
const GoogleTokenURI = "https://oauth2.googleapis.com/token"

// MaxKeyFile is the largest key file (JSON or P12) read, in bytes.
const MaxKeyFile = 64 << 10

// MinRSABits is the smallest RSA modulus accepted, in bits: the one
// limit every signature of this module keeps (internal/jose).
const MinRSABits = jose.MinRSABits

// Errors about keys, usable with [errors.Is]. The errors returned wrap them
// and name the file and the field at fault.
var (
	// ErrMissingField: a required field of a key file is absent or empty.
	ErrMissingField = errors.New("serviceaccount: missing field")
	// ErrWrongType: a JSON key file's "type" is not "service_account".
	ErrWrongType = errors.New("serviceaccount: not a service account key")
	// ErrInvalidKey: the private key is not a PEM-encoded PKCS#1 or PKCS#8
	// RSA key, or the file is not a key file at all.
	ErrInvalidKey = errors.New("serviceaccount: invalid private key")
	// ErrKeyTooShort: the RSA key has fewer than [MinRSABits] bits.
	ErrKeyTooShort = errors.New("serviceaccount: RSA key too short")
	// ErrEncryptedKey: the PEM key is encrypted; decrypt it first
	// (e.g. openssl pkcs8 -in key.pem -nocrypt ...).
	ErrEncryptedKey = errors.New("serviceaccount: encrypted private key")
	// ErrWrongPassword: a P12 file's password is wrong.
	ErrWrongPassword = errors.New("serviceaccount: wrong P12 password")
)

// Key is a service account's private key and identity, read from a JSON
// key file ([ParseJSONKey]) or a P12 file ([ParseP12]). A Key is
// immutable and safe for concurrent use.
type Key struct {
	email          string
	keyID          string
	clientID       string
	tokenURI       string
	projectID      string
	universeDomain string
	priv           *rsa.PrivateKey

	// What Python oauth2client's to_json keeps: the PEM as read, or the
	// P12 file and its password.
	pem         string
	p12         []byte
	p12Password string
}

// Email returns the service account's email address (client_email).
func (k *Key) Email() string { return k.email }

// KeyID returns the key's id (private_key_id); "" when the file had none.
func (k *Key) KeyID() string { return k.keyID }

// ClientID returns the service account's numeric client id (client_id).
func (k *Key) ClientID() string { return k.clientID }

// TokenURI returns the token endpoint the key file names, or
// [GoogleTokenURI] when it names none.
func (k *Key) TokenURI() string { return k.tokenURI }

// ProjectID returns the project the account belongs to (project_id);
// "" when the file had none.
func (k *Key) ProjectID() string { return k.projectID }

// UniverseDomain returns the key file's universe_domain, or
// "googleapis.com" when it names none.
func (k *Key) UniverseDomain() string { return k.universeDomain }

// Public returns the public half of the key (an *rsa.PublicKey).
func (k *Key) Public() crypto.PublicKey { return &k.priv.PublicKey }

// Signer returns the private key as a [crypto.Signer].
func (k *Key) Signer() crypto.Signer { return k.priv }

// jsonKey is the JSON key file Google issues for a service account.
type jsonKey struct {
	Type           string `json:"type"`
	ProjectID      string `json:"project_id"`
	PrivateKeyID   string `json:"private_key_id"`
	PrivateKey     string `json:"private_key"`
	ClientEmail    string `json:"client_email"`
	ClientID       string `json:"client_id"`
	TokenURI       string `json:"token_uri"`
	UniverseDomain string `json:"universe_domain"`
}

// ParseJSONKey reads a service account's JSON key file as Google issues
// it: "type" must be "service_account"; "client_email" and "private_key"
// (PEM, PKCS#1 or PKCS#8, RSA of at least [MinRSABits] bits) are required;
// "private_key_id", "client_id", "token_uri", "project_id" and
// "universe_domain" are kept when present. Errors name the field at fault
// and wrap the sentinels above; they never quote the key.
func ParseJSONKey(data []byte) (*Key, error) {
	return parseJSONKey(data, "key JSON")
}

// ReadJSONKeyFile reads the JSON key file at path; see [ParseJSONKey].
// Errors name the file.
func ReadJSONKeyFile(path string) (*Key, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return parseJSONKey(data, "key file "+strconv.Quote(path))
}

// readBounded reads a key file of at most MaxKeyFile bytes.
func readBounded(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, MaxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("serviceaccount: key file: %w", err)
	}
	return data, nil
}

func parseJSONKey(data []byte, where string) (*Key, error) {
	if len(data) > MaxKeyFile {
		return nil, fmt.Errorf("serviceaccount: %s exceeds %d bytes", where, MaxKeyFile)
	}
	var j jsonKey
	if err := json.Unmarshal(data, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("%w: %s: field %q is %s, want a string", ErrInvalidKey, where, te.Field, te.Value)
		}
		return nil, fmt.Errorf("%w: %s is not a JSON object", ErrInvalidKey, where)
	}
	if j.Type != "service_account" {
		if j.Type == "" {
			return nil, fmt.Errorf("%w: %s: field %q", ErrMissingField, where, "type")
		}
		return nil, fmt.Errorf("%w: %s: field \"type\" is %q, want \"service_account\"", ErrWrongType, where, urlpolicy.Clip(j.Type, 64))
	}
	for _, f := range []struct{ name, val string }{
		{"client_email", j.ClientEmail}, {"private_key", j.PrivateKey},
	} {
		if f.val == "" {
			return nil, fmt.Errorf("%w: %s: field %q", ErrMissingField, where, f.name)
		}
	}
	priv, err := parsePEMKey([]byte(j.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("%s: field \"private_key\": %w", where, err)
	}
	k := &Key{
		email: j.ClientEmail, keyID: j.PrivateKeyID, clientID: j.ClientID,
		tokenURI: j.TokenURI, projectID: j.ProjectID, universeDomain: j.UniverseDomain,
		priv: priv, pem: j.PrivateKey,
	}
	k.defaults()
	return k, nil
}

// defaults fills the token URI and universe domain a file left out.
func (k *Key) defaults() {
	if k.tokenURI == "" {
		k.tokenURI = GoogleTokenURI
	}
	if k.universeDomain == "" {
		k.universeDomain = "googleapis.com"
	}
}

// parsePEMKey reads an RSA private key in PKCS#1 or PKCS#8 PEM.
func parsePEMKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: not PEM", ErrInvalidKey)
	}
	var key any
	var err error
	switch block.Type {
	case "ENCRYPTED PRIVATE KEY":
		return nil, ErrEncryptedKey
	case "RSA PRIVATE KEY":
		if block.Headers["Proc-Type"] != "" || block.Headers["DEK-Info"] != "" {
			return nil, ErrEncryptedKey
		}
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q, want \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"", ErrInvalidKey, urlpolicy.Clip(block.Type, 40))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s block does not parse", ErrInvalidKey, block.Type)
	}
	return checkRSA(key)
}

// checkRSA accepts an RSA private key of at least MinRSABits bits.
func checkRSA(key any) (*rsa.PrivateKey, error) {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: a %T, want an RSA key", ErrInvalidKey, key)
	}
	if bits := rk.N.BitLen(); bits < MinRSABits {
		return nil, fmt.Errorf("%w: %d bits, want at least %d", ErrKeyTooShort, bits, MinRSABits)
	}
	return rk, nil
}
