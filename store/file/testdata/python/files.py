"""Python oauth2client 4.1.3 side of store/file's interop tests.

Usage:
  files.py write-single PATH TOKEN_URI
  files.py write-multi PATH KEY TOKEN_URI
  files.py read-single PATH
  files.py read-multi PATH KEY
  files.py hold-lock PATH       (holds PATH.lock via fasteners until stdin closes)
  files.py try-lock PATH        (prints "acquired" or "busy")
  files.py updates PATH KEY N TOKEN_URI
                                (prints "ready", waits for a line on stdin, then
                                 puts N credentials under KEY with refresh
                                 tokens KEY-1 .. KEY-N through
                                 MultiprocessFileStorage, and prints
                                 {"puts": N, "lost": L}: L puts fell into
                                 read-only mode, Python's lock having given up
                                 after its 1 s deadline, and were dropped)
"""
import datetime
import json
import sys

import fasteners
from oauth2client import client
from oauth2client import file as file_storage
from oauth2client.contrib import multiprocess_file_storage as mp


def expired(token_uri):
    return client.OAuth2Credentials(
        access_token="py-old", client_id="py-client", client_secret="py-secret",
        refresh_token="py-rt-0", token_expiry=datetime.datetime(2001, 2, 3, 4, 5, 6),
        token_uri=token_uri, user_agent="py-test/1.0",
        revoke_uri=token_uri + "/revoke", scopes=["email", "openid"])


def report(creds):
    if creds is None:
        print(json.dumps(None))
        return
    print(json.dumps({
        "class": type(creds).__name__,
        "access_token": creds.access_token,
        "refresh_token": creds.refresh_token,
        "client_id": creds.client_id,
        "token_expiry": creds.token_expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if creds.token_expiry else None,
        "invalid": creds.invalid,
        "expired": creds.access_token_expired,
        "scopes": sorted(creds.scopes),
    }))


def main(argv):
    cmd, path = argv[1], argv[2]
    if cmd == "write-single":
        file_storage.Storage(path).put(expired(argv[3]))
    elif cmd == "write-multi":
        mp.MultiprocessFileStorage(path, argv[3]).put(expired(argv[4]))
    elif cmd == "read-single":
        report(file_storage.Storage(path).get())
    elif cmd == "read-multi":
        report(mp.MultiprocessFileStorage(path, argv[3]).get())
    elif cmd == "hold-lock":
        lock = fasteners.InterProcessLock(path + ".lock")
        lock.acquire()
        print("locked", flush=True)
        sys.stdin.read()
        lock.release()
    elif cmd == "try-lock":
        lock = fasteners.InterProcessLock(path + ".lock")
        if lock.acquire(blocking=False):
            print("acquired")
            lock.release()
        else:
            print("busy")
    elif cmd == "updates":
        key, n, token_uri = argv[3], int(argv[4]), argv[5]
        storage = mp.MultiprocessFileStorage(path, key)
        print("ready", flush=True)
        sys.stdin.readline()
        lost = 0
        for i in range(1, n + 1):
            creds = expired(token_uri)
            creds.refresh_token = "%s-%d" % (key, i)
            storage.put(creds)
            # put() drops the write silently when the lock timed out.
            if storage._backend._read_only:
                lost += 1
        print(json.dumps({"puts": n, "lost": lost}), flush=True)
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
