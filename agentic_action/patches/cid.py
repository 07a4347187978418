"""Content identifiers: real IPFS CIDv1 strings for patch bytes.

A patch is named by ``cid_of(bytes)``: CIDv1, codec ``raw`` (0x55), multihash sha2-256
(0x12, length 0x20), multibase base32 lower-case without padding (prefix ``b``), which always
gives 59 characters starting with ``bafkrei``.

Same bytes, same CID as ``ipfs add --cid-version=1 --raw-leaves FILE`` (kubo and js-ipfs) for a
file of at most ``IPFS_CHUNK_SIZE`` bytes (256 KiB, the default ``size-262144`` chunker): such a
file is one chunk, IPFS stores it as a single raw leaf and the root CID *is* that leaf's CID.
A larger file would be chunked and get a dag-pb root (``bafybei...``), so the patch store
refuses patches over that size rather than publish a CID that IPFS would not reproduce.
``cid_of`` itself accepts any size: for larger data it is the CID of the raw block (what
``ipfs block put --cid-codec raw`` gives), not of an ``ipfs add``.

Vectors pinned in tests/patches/test_cid.py: ``b""`` and ``b"hello world"`` are the values
kubo's own CLI tests (test/cli/add_test.go) expect from ``ipfs add`` with CIDv1.
tests/patches/test_cid_ipfs.py compares ``cid_of`` with js-ipfs's ``add`` importer
(ipfs-unixfs-importer, cidVersion 1, raw leaves) where .ci/setup-ipfs.sh installed it: equal up
to and including 262,144 bytes, a dag-pb ``bafybei...`` root from 262,145 bytes on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from agentic_action.patches.errors import InvalidCidError

CID_VERSION = 1
RAW_CODEC = 0x55
SHA2_256 = 0x12
SHA2_256_LENGTH = 32
MULTIBASE_BASE32 = "b"
IPFS_CHUNK_SIZE = 262_144  # bytes in one chunk of `ipfs add` (kubo and js-ipfs default)
CID_LENGTH = 59  # "b" + base32 of 36 bytes
EXAMPLE_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # the empty file

_PREFIX = bytes([CID_VERSION, RAW_CODEC, SHA2_256, SHA2_256_LENGTH])  # each varint is one byte
_CODEC_NAMES = {0x55: "raw", 0x70: "dag-pb", 0x71: "dag-cbor", 0x0129: "dag-json"}
_HASH_NAMES = {
    0x00: "identity",
    0x12: "sha2-256",
    0x13: "sha2-512",
    0x1E: "blake3",
    0xB220: "blake2b-256",
}
_VALID = (
    f"a valid patch CID is a CIDv1 (raw codec, sha2-256, base32): {CID_LENGTH} characters "
    f"starting with 'bafkrei', e.g. {EXAMPLE_CID}"
)


def cid_of(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of ``data``."""
    digest = hashlib.sha256(data).digest()
    return MULTIBASE_BASE32 + _b32encode(_PREFIX + digest)


def cid_matches(cid: str, data: bytes) -> bool:
    """True when ``data`` hashes to ``cid`` (which must be well formed)."""
    return parse_cid(cid) == cid_of(data)


def is_single_block(data: bytes) -> bool:
    """True when ``ipfs add --cid-version=1 --raw-leaves`` would give ``cid_of(data)``."""
    return len(data) <= IPFS_CHUNK_SIZE


def parse_cid(text: str) -> str:
    """Validate a patch CID and return it in canonical (lower-case) form.

    Raises InvalidCidError naming the bad value and what a valid one looks like.
    """
    if not isinstance(text, str):
        raise InvalidCidError(f"a patch CID must be a string, got {type(text).__name__}; {_VALID}")
    value = text.strip()
    if value[:1] == "B" and value[1:].isupper():
        value = value.lower()  # multibase "B" is the same base32, upper case
    raw = _decode(text, value)
    _check_prefix(text, raw)
    canonical = MULTIBASE_BASE32 + _b32encode(raw)
    if canonical != value:
        raise _invalid(text, "its base32 text is not in canonical form")
    return canonical


def digest_of(cid: str) -> bytes:
    """The 32-byte sha2-256 digest inside a patch CID."""
    canonical = parse_cid(cid)
    return _b32decode(canonical[1:])[len(_PREFIX) :]


def _decode(original: str, value: str) -> bytes:
    if not value:
        raise _invalid(original, "it is empty")
    if value.startswith("Qm"):
        raise _invalid(original, "it is a CIDv0 (dag-pb, base58); patch CIDs are CIDv1 raw")
    if value[0] != MULTIBASE_BASE32:
        raise _invalid(original, f"multibase prefix {value[0]!r} is not 'b' (base32 lower)")
    try:
        return _b32decode(value[1:])
    except (binascii.Error, ValueError):
        if len(value) != CID_LENGTH:
            raise _invalid(original, f"it has {len(value)} characters, not {CID_LENGTH}") from None
        raise _invalid(original, "it is not base32 (letters a-z and digits 2-7 only)") from None


def _check_prefix(original: str, raw: bytes) -> None:
    version, rest = _read_varint(original, raw)
    if version != CID_VERSION:
        raise _invalid(original, f"CID version {version}, expected 1")
    codec, rest = _read_varint(original, rest)
    if codec != RAW_CODEC:
        name = _CODEC_NAMES.get(codec, "unknown")
        raise _invalid(original, f"codec 0x{codec:x} ({name}), expected 0x55 (raw)")
    hash_code, rest = _read_varint(original, rest)
    if hash_code != SHA2_256:
        name = _HASH_NAMES.get(hash_code, "unknown")
        raise _invalid(original, f"hash 0x{hash_code:x} ({name}), expected 0x12 (sha2-256)")
    length, rest = _read_varint(original, rest)
    if length != SHA2_256_LENGTH or len(rest) != SHA2_256_LENGTH:
        raise _invalid(original, f"digest of {len(rest)} bytes, expected {SHA2_256_LENGTH}")


def _read_varint(original: str, data: bytes) -> tuple[int, bytes]:
    """Decode one unsigned LEB128 varint (multiformats style, at most 9 bytes)."""
    value = 0
    for index, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, data[index + 1 :]
    raise _invalid(original, "it ends inside a varint")


def _b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _b32decode(text: str) -> bytes:
    if text != text.lower() or not text.isascii():
        raise ValueError("not lower-case base32")
    padding = "=" * (-len(text) % 8)
    return base64.b32decode(text.upper() + padding)


def _invalid(value: str, reason: str) -> InvalidCidError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return InvalidCidError(f"invalid patch CID {shown!r}: {reason}; {_VALID}")
