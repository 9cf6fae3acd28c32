// Package serviceaccount obtains tokens for a service account: a
// non-human identity that proves itself with a private key, with no end
// user involved (Python oauth2client's ServiceAccountCredentials).
//
// # Keys
//
// [ReadJSONKeyFile] and [ParseJSONKey] read the JSON key file Google
// issues (type "service_account"); [ReadP12File] and [ParseP12] read the
// older PKCS#12 files (password "notasecret" unless told otherwise). Keys
// are RSA keys of at least 2048 bits in PKCS#1 or PKCS#8 PEM; an encrypted
// PEM, a short key, a wrong password or a missing field is an error that
// names the file and the field, wrapping one of the sentinels ([ErrMissingField],
// [ErrInvalidKey], [ErrKeyTooShort], [ErrEncryptedKey], [ErrWrongPassword],
// [ErrWrongType]). A [Key] exposes the account's email, key id and project
// id, and signs blobs ([Key.SignBlob]).
//
// # Access tokens
//
// [NewTokenSource] uses the JWT-bearer grant (RFC 7523 §2.1): a JWT
// signed with the key, with iss the account's email, aud the token
// endpoint, the scopes, an hour's lifetime and, for domain-wide
// delegation, sub the user ([Config.Subject]), is posted to the token
// endpoint through [oauth2client.RequestToken].
//
// [NewJWTAccessSource] makes no request at all: it signs a JWT for an
// audience or for scopes and uses it as the access token, as Google APIs
// accept ("self-signed JWT access").
//
// # ID tokens
//
// [NewIDTokenSource] gets OpenID Connect ID tokens of the account for an
// audience, as Google issues them to service accounts: the JWT-bearer
// assertion carries a "target_audience" claim instead of scopes, and the
// token endpoint answers with an id_token only. The ID token is both the
// Token's IDToken and its AccessToken (a bearer token for services that
// take ID tokens), and expires at its exp claim.
//
// All three return an [oauth2client.CachedSource]: tokens are cached and
// renewed ahead of expiry, and any number of concurrent callers share one
// token request (or one signature) per token lifetime.
//
// # Python oauth2client
//
// [ParsePythonJSON] reads ServiceAccountCredentials as Python
// oauth2client's to_json writes them, and [PythonCredentials.MarshalJSON]
// writes them so that Python's from_json reads them back.
package serviceaccount
