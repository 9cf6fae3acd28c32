"""Writes a credentials file with Python oauth2client.

Usage: write_credentials.py PATH SPEC_JSON

SPEC_JSON names the "class" (OAuth2Credentials, GoogleCredentials or
AccessTokenCredentials) and the constructor's values; token_expiry is in
oauth2client's EXPIRY_FORMAT. The file is written by
oauth2client.file.Storage(PATH).put(), i.e. by to_json().
"""
import datetime
import json
import sys

from oauth2client import client, file


def main():
    path, spec = sys.argv[1], json.loads(sys.argv[2])
    kind = spec["class"]
    if kind == "AccessTokenCredentials":
        creds = client.AccessTokenCredentials(
            spec["access_token"], spec["user_agent"],
            revoke_uri=spec.get("revoke_uri"))
    else:
        expiry = spec.get("token_expiry")
        if expiry:
            expiry = datetime.datetime.strptime(expiry, client.EXPIRY_FORMAT)
        args = (spec["access_token"], spec["client_id"], spec["client_secret"],
                spec["refresh_token"], expiry, spec["token_uri"],
                spec.get("user_agent"))
        if kind == "GoogleCredentials":
            creds = client.GoogleCredentials(
                *args, revoke_uri=spec.get("revoke_uri"))
        else:
            creds = client.OAuth2Credentials(
                *args,
                revoke_uri=spec.get("revoke_uri"),
                id_token=spec.get("id_token"),
                id_token_jwt=spec.get("id_token_jwt"),
                token_response=spec.get("token_response"),
                scopes=spec.get("scopes"),
                token_info_uri=spec.get("token_info_uri"))
    creds.invalid = spec.get("invalid", False)
    file.Storage(path).put(creds)


main()
