"""Verify ID tokens with Python oauth2client's client.verify_id_token.

Usage: python3 verify_id_token.py CERTS_URI AUDIENCE < tokens
Reads one token a line; prints one JSON line per token:
{"ok": true, "sub": ...} or {"ok": false, "error": "ExceptionClass"}.
"""
import json
import sys

import httplib2
from oauth2client import client

cert_uri, audience = sys.argv[1], sys.argv[2]
http = httplib2.Http(proxy_info=None)
for line in sys.stdin:
    token = line.strip()
    try:
        claims = client.verify_id_token(token, audience, http=http, cert_uri=cert_uri)
        print(json.dumps({"ok": True, "sub": claims["sub"]}))
    except Exception as e:  # any rejection
        print(json.dumps({"ok": False, "error": type(e).__name__}))
    sys.stdout.flush()
