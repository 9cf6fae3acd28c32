// Package google holds what is particular to Google: Application Default
// Credentials, the GCE metadata server, authorized_user files and service
// account impersonation through the IAM Credentials API.
//
// # Application Default Credentials
//
// [FindDefault] looks, in the order of Python oauth2client and
// google-auth, at the file $GOOGLE_APPLICATION_CREDENTIALS names, at
// gcloud's well-known file ([WellKnownFile]) and at the metadata server,
// and returns [Credentials]: a token source with the project, the quota
// project and where it came from. When nothing is found its
// [*NotFoundError] lists what was tried, in order. Credentials files
// ([CredentialsFromFile]) are of type authorized_user (a user's refresh
// token, as "gcloud auth application-default login" writes it),
// impersonated_service_account and service_account; any other type is a
// [*FileError] wrapping [ErrUnknownType] and naming the type and the file.
//
// # The metadata server
//
// A [MetadataClient] asks the GCE metadata server (at $GCE_METADATA_HOST,
// else 169.254.169.254) for a service account's access tokens (cached
// through [oauth2client.CachedSource]), email, scopes and ID tokens, and
// for the project id. Every request carries "Metadata-Flavor: Google" and
// every answer must carry it too ([ErrMissingMetadataFlavor]). The probe
// [MetadataClient.Probe] is bounded by a short timeout, and $NO_GCE_CHECK=true
// keeps [FindDefault] away from the server altogether.
//
// # Impersonation
//
// [Impersonate] turns any token source into credentials of a service
// account through the IAM Credentials API's generateAccessToken (with
// delegates, scopes and a lifetime), generateIdToken and signBlob
// ([Impersonated.SignBlob]). Its base URL is configurable, so tests run
// against package oauth2test, which emulates both this API and the
// metadata server.
//
// # ID tokens
//
// [Credentials.IDTokenSource] gives Google-signed ID tokens of the
// credentials' service account for an audience, the same way for a
// service_account file (the JWT-bearer grant with "target_audience", see
// package serviceaccount), the metadata server and impersonated
// credentials: a cached source of bearer tokens whose AccessToken is the
// ID token, for services that accept ID tokens. authorized_user
// credentials have none ([ErrNoIDTokens]).
//
// # Errors
//
// Failures are typed: [*MetadataError], [*FileError], [*NotFoundError]
// and [*IAMError], with sentinels for [errors.Is]. No message carries a
// token, a refresh token or a client secret.
package google
