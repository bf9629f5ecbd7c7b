"""MinHash signatures of shingle sets, their Jaccard estimate and LSH band keys.

Chosen over a 64-bit SimHash of the same word shingles by benchmarks/stories.py: the weakest
golden copy and the closest non-copy (a rewrite) are 0.49 and 0.19 apart by MinHash, but
0.70 and 0.69 by SimHash (1 - Hamming/64): SimHash leaves no room for a threshold.
The permutations are fixed (seeded): stored signatures must stay comparable forever.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np

_RNG = np.random.RandomState(20261122)
# Multiply-shift hashing (Dietzfelbinger): (a·x + b) mod 2^64, top 32 bits, odd a. No modulo
# by a prime, which halves the cost of a signature (0.9 → 0.4 ms for 700 grams × 128).
_A = _RNG.randint(0, 1 << 63, size=256, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.randint(0, 1 << 63, size=256, dtype=np.uint64)
_SHIFT = np.uint64(32)
EMPTY = 0xFFFFFFFF


def signature(shingles: Iterable[str], *, perms: int, salt: int = 0) -> np.ndarray:
    """`perms` minima of (a·h + b) >> 32 over the shingles' CRC-32s (uint32 array).

    `salt` picks another slice of the fixed permutations, so two signatures of one article
    (word shingles and character grams) are independent.
    """
    hashes = np.fromiter((zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64)
    if hashes.size == 0:
        return np.full(perms, EMPTY, dtype=np.uint32)
    a, b = _A[salt : salt + perms], _B[salt : salt + perms]
    with np.errstate(over="ignore"):  # wrapping uint64 products are part of the hash
        values = (hashes[:, None] * a[None, :] + b[None, :]) >> _SHIFT
    signature: np.ndarray = values.min(axis=0).astype(np.uint32)
    return signature


def similarity(one: np.ndarray, other: np.ndarray) -> float:
    """The share of equal minima: an unbiased estimate of the sets' Jaccard similarity."""
    if one.size == 0 or one.size != other.size:
        return 0.0
    if (one == EMPTY).all() or (other == EMPTY).all():
        return 0.0
    return float(np.count_nonzero(one == other)) / one.size


def stacked(stored: list[bytes], perms: int) -> np.ndarray:
    """Signatures as written by `to_bytes`, one row each, decoded in one call; one of another
    length (none is written) becomes a row that matches nothing."""
    size = 4 * perms
    if all(len(b) == size for b in stored):
        return np.frombuffer(b"".join(stored), dtype="<u4").astype(np.uint32).reshape(-1, perms)
    empty = np.full(perms, EMPTY, dtype="<u4").tobytes()
    return stacked([b if len(b) == size else empty for b in stored], perms)


def similarities(one: np.ndarray, stack: np.ndarray) -> np.ndarray:
    """`similarity` of `one` with each row of `stack` (k × one.size), in one pass: placing an
    article judges every candidate, and per pair the numpy calls cost more than the work."""
    if stack.shape[0] == 0 or one.size != stack.shape[1] or one.size == 0 or (one == EMPTY).all():
        return np.zeros(stack.shape[0])
    equal = np.count_nonzero(stack == one, axis=1) / one.size
    out: np.ndarray = np.where((stack == EMPTY).all(axis=1), 0.0, equal)
    return out


def band_keys(sig: np.ndarray, *, bands: int, rows: int) -> list[int]:
    """One 63-bit key per band of `rows` minima: two articles share a key with probability
    1 - (1 - J^rows)^bands, so near-duplicates meet in some bucket and others rarely do."""
    keys = []
    for band in range(bands):
        chunk = sig[band * rows : (band + 1) * rows].tobytes()
        keys.append(key_of(bytes([band]) + chunk))
    return keys


def key_of(data: bytes) -> int:
    """A signed 64-bit key (fits BIGINT on every backend) for a band or an anchor."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
