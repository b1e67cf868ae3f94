"""Which Rasa replica serves a conversation: rendezvous (highest-random-weight) hashing.

Every conversation goes to one replica, so two replicas never work on the same
conversation at once (Rasa's lock store is per process; its Redis lock store has a
known race between replicas, RasaHQ/rasa #9213). Each replica gets a weight per
conversation from a hash of both names; the conversation's replicas in order of weight
are its *hash order*. The first one that is up serves it; when that one is down, the
next in the order takes over and continues from the shared tracker store. Only the
conversations of a replica that leaves move (to their next replica), and each comes
back when it returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Replica:
    """One Rasa server: a stable name (what is hashed) and its address."""

    name: str
    url: str


def weight(replica: str, conversation_id: str) -> int:
    """Return the replica's weight for a conversation (64 bits of BLAKE2b of both)."""
    digest = hashlib.blake2b(
        replica.encode() + b"\x00" + conversation_id.encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big")


def hash_order(conversation_id: str, replicas: Sequence[Replica]) -> list[Replica]:
    """Return the replicas in the conversation's order of preference (heaviest first)."""
    return sorted(
        replicas,
        key=lambda replica: (weight(replica.name, conversation_id), replica.name),
        reverse=True,
    )


def replica_names(count: int) -> list[str]:
    """Return the stable names of ``count`` replicas (``rasa-1`` …).

    The names, not the ports, are hashed: moving a replica to another port keeps its
    conversations.
    """
    return [f"rasa-{index}" for index in range(1, count + 1)]
