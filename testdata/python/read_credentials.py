"""Reads a credentials file with Python oauth2client and prints what it saw.

Usage: read_credentials.py PATH

Prints one JSON object: "storage" (oauth2client.file.Storage(PATH).get()),
"new_from_json" (Credentials.new_from_json of the file's text), each as a
dict of the credentials' attributes, and "to_json" (what Python writes back).
"""
import json
import sys

from oauth2client import client, file


def fields(c):
    return {
        "class": type(c).__name__,
        "access_token": c.access_token,
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "refresh_token": c.refresh_token,
        "token_expiry": (c.token_expiry.strftime(client.EXPIRY_FORMAT)
                         if c.token_expiry else None),
        "token_uri": c.token_uri,
        "user_agent": c.user_agent,
        "revoke_uri": c.revoke_uri,
        "id_token": c.id_token,
        "id_token_jwt": getattr(c, "id_token_jwt", None),
        "token_response": c.token_response,
        "scopes": sorted(c.scopes),
        "token_info_uri": c.token_info_uri,
        "invalid": c.invalid,
    }


def main():
    path = sys.argv[1]
    stored = file.Storage(path).get()
    with open(path) as f:
        loaded = client.Credentials.new_from_json(f.read())
    print(json.dumps({
        "storage": fields(stored),
        "new_from_json": fields(loaded),
        "to_json": json.loads(stored.to_json()),
    }))


main()
