"""Time-based one-time codes (RFC 6238) for the console's second factor."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

ISSUER = "Patenbot"
# One step (30 s) either side for clocks that drift; a used step is never accepted again.
VALID_WINDOW = 1


@dataclass(frozen=True)
class TotpEnrolment:
    """What the enrolment page shows: the secret to type, the URI, and its QR code.

    Attributes:
        secret: The base32 secret, for apps without a camera.
        uri: The ``otpauth://`` URI the QR code holds.
        qr_svg: The QR code as an inline SVG element (no XML declaration).
    """

    secret: str
    uri: str
    qr_svg: str


def new_secret() -> str:
    """Return a new random base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def enrolment(secret: str, account_name: str) -> TotpEnrolment:
    """Return the URI and QR code that put ``secret`` into an authenticator app."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title=ISSUER)
    return TotpEnrolment(secret=secret, uri=uri, qr_svg=qr_svg)


def matching_step(secret: str, code: str, *, now: datetime, after_step: int | None) -> int | None:
    """Return the time step whose code ``code`` is, if it is valid now and not used before.

    Args:
        secret: The account's base32 secret.
        code: What the person typed (spaces are ignored).
        now: The current time.
        after_step: The last step accepted for this account: it and earlier ones are refused
            (a code seen over a shoulder or in a log cannot be used again).
    """
    code = code.replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
