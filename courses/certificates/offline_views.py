"""Public keys, the signed revocation list and the offline check page.

An office that keeps /verify/keys.json and /verify/revoked.json (or a saved copy of
/verify/offline) can check a certificate's QR code without reaching this server.
"""
from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import serialization
from flask import Blueprint, Response, current_app, render_template

from courses.certificates import lookups, offline
from courses.certificates.statements import key_store
from courses.extensions import limiter
from courses.permissions import public

bp = Blueprint("offline_verification", __name__)


def _limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute")


def _json(document: dict) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, fetched by other offices' tools
    return response


def signed_revocation_list() -> dict:
    kid, key = key_store().current()
    return offline.sign_revocation_list(lookups.revocation_entries(), kid, key)


def raw_public_keys() -> dict[str, str]:
    """Each key's 32 raw bytes in base64, the form the page's script verifies with."""
    return {kid: base64.b64encode(key.public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)).decode("ascii")
            for kid, key in key_store().public_keys().items()}


@bp.route("/verify/public-key.pem")
@public
@limiter.limit(_limit)
def public_key():
    """The current key that signs the QR codes' statements."""
    _kid, key = key_store().current()
    return Response(offline.public_pem(key.public_key()), mimetype="application/x-pem-file")


@bp.route("/verify/keys.json")
@public
@limiter.limit(_limit)
def keys():
    """Every key by id, old ones kept after a rotation: certificates they signed still verify."""
    return _json(key_store().keys_document())


@bp.route("/verify/revoked.json")
@public
@limiter.limit(_limit)
def revoked():
    """The signed list of revoked and replaced serials, with its date."""
    return _json(signed_revocation_list())


@bp.route("/verify/offline")
@public
@limiter.limit(_limit)
def page():
    """Checks a scanned QR text in the browser: works from a saved copy with the network cut."""
    revocation = signed_revocation_list()
    body = offline.verify_revocation_list(revocation, key_store().public_keys())
    return render_template("certificates/verify_offline.html",
                           keys_json=json.dumps(raw_public_keys()),
                           revoked_json=json.dumps(revocation),
                           revoked_date=body["issued_at"][:10])
