"""Tokens an attacker might bring: signed with a key the registry does not
know, or expired, made with the standard library alone (HS256)."""

import base64
import hashlib
import hmac
import json
import time


def _part(data):
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _token(secret, claims):
    header = _part({"alg": "HS256", "typ": "JWT"})
    body = _part(claims)
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _claims(username, expires):
    return {"sub": username, "username": username, "exp": expires,
            "scope": "image:read image:write namespace:read namespace:write registry:admin"}


def forged(username):
    """An administrator's token signed with a secret of the attacker's."""
    return _token("attacker-secret-attacker-secret-0123456789", _claims(username, int(time.time()) + 3600))


def expired(secret, username):
    """A token the registry signed, expired an hour ago."""
    return _token(secret, _claims(username, int(time.time()) - 3600))
