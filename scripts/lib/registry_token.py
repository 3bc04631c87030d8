"""Mints HS256 bearer tokens the registry accepts, for the cluster test and
the benchmarks (imagectl dev token does the same for people)."""

import base64
import hashlib
import hmac
import json
import time


def _encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret, user, scopes, lifetime=7200):
    header = _encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _encode(json.dumps({"sub": user, "username": user, "scope": " ".join(scopes),
                                 "exp": int(time.time()) + lifetime}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{_encode(signature)}"
