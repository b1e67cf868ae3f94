"""Whether a server answers: the readiness checks of the supervisor and of ``/readyz``."""

from __future__ import annotations

import httpx
from pydantic import SecretStr


async def http_ok(url: str) -> bool:
    """Return whether ``url`` answers 200 within 2 s."""
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def rasa_ready(base_url: str, token: SecretStr) -> bool:
    """Return whether the Rasa server at ``base_url`` answers and has loaded its model."""
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            params = {"token": token.get_secret_value()}
            answer = await client.get(f"{base_url}/status", params=params)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and bool(answer.json().get("model_file"))
