"""Python oauth2client's side of the serviceaccount interop tests.

write KEYFILE SCOPES [SUBJECT]: print ServiceAccountCredentials.to_json() of
    from_json_keyfile_dict (delegated to SUBJECT when given).
write-p12 P12FILE EMAIL: print to_json() of from_p12_keyfile.
read: read to_json output on stdin with from_json; print what Python sees,
    with a signature of b"interop" made by Python's signer.
verify JWT CERTFILE AUDIENCE: print the payload
    oauth2client.crypt.verify_signed_jwt_with_certs accepts.
"""
import base64
import json
import sys

from oauth2client import crypt
from oauth2client.service_account import ServiceAccountCredentials


def main():
    cmd = sys.argv[1]
    if cmd == "write":
        with open(sys.argv[2]) as f:
            keyfile = json.load(f)
        creds = ServiceAccountCredentials.from_json_keyfile_dict(keyfile, scopes=sys.argv[3].split())
        if len(sys.argv) > 4:
            creds = creds.create_delegated(sys.argv[4])
        print(creds.to_json())
    elif cmd == "write-p12":
        creds = ServiceAccountCredentials.from_p12_keyfile(sys.argv[3], sys.argv[2])
        print(creds.to_json())
    elif cmd == "read":
        creds = ServiceAccountCredentials.from_json(sys.stdin.read())
        _, sig = creds.sign_blob(b"interop")
        print(json.dumps({
            "email": creds.service_account_email,
            "scopes": creds._scopes,
            "key_id": creds._private_key_id,
            "client_id": creds.client_id,
            "kwargs": creds._kwargs,
            "access_token": creds.access_token,
            "token_expiry": creds.token_expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if creds.token_expiry else None,
            "token_uri": creds.token_uri,
            "signature": base64.b64encode(sig).decode(),
        }))
    elif cmd == "verify":
        with open(sys.argv[3]) as f:
            cert = f.read()
        payload = crypt.verify_signed_jwt_with_certs(sys.argv[2], {"k": cert}, sys.argv[4])
        print(json.dumps(payload))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
