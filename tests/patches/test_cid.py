"""CIDs: real IPFS CIDv1 (raw, sha2-256, base32) strings, checked against pinned vectors."""

from __future__ import annotations

import hashlib
import os

import pytest

from agentic_action.patches.cid import (
    CID_LENGTH,
    IPFS_CHUNK_SIZE,
    cid_matches,
    cid_of,
    digest_of,
    is_single_block,
    parse_cid,
)
from agentic_action.patches.errors import InvalidCidError, PatchError

# Pinned vectors, each justified by a source independent of this code:
# - b"" : the raw-leaf CID of the empty file, the most widely published CIDv1.
# - b"hello world": kubo's own CLI test (test/cli/add_test.go, TestAdd) expects this from
#   `ipfs add` of "hello world" with CIDv1 (which implies raw leaves), as "shortStringCidV1".
# - b"foo": pinned the same way by an independent C# CID implementation's tests.
KNOWN = [
    (b"", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
    (b"hello world", "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"),
    (b"foo", "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"),
]


@pytest.mark.parametrize(("data", "expected"), KNOWN)
def test_cid_of_matches_ipfs_add_cid_version_1_for_known_vectors(
    data: bytes, expected: str
) -> None:
    assert cid_of(data) == expected


def test_hello_world_with_newline_has_its_own_cid() -> None:
    # `echo "hello world" | ipfs add --cid-version=1` hashes the newline too.
    assert cid_of(b"hello world\n") != cid_of(b"hello world")
    assert cid_of(b"hello world\n") == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 1000, IPFS_CHUNK_SIZE, IPFS_CHUNK_SIZE + 1])
def test_cid_of_agrees_with_the_multiformats_package(size: int) -> None:
    multiformats = pytest.importorskip("multiformats")
    data = os.urandom(size)
    digest = multiformats.multihash.wrap(hashlib.sha256(data).digest(), "sha2-256")
    expected = str(multiformats.CID("base32", 1, "raw", digest))
    assert cid_of(data) == expected


def test_every_cid_is_59_characters_starting_bafkrei() -> None:
    for size in (0, 5, 100, 4096):
        cid = cid_of(os.urandom(size))
        assert len(cid) == CID_LENGTH == 59
        assert cid.startswith("bafkrei")


def test_parse_cid_round_trips_and_is_canonical() -> None:
    cid = cid_of(b"some patch\n")
    assert parse_cid(cid) == cid
    assert parse_cid(f"  {cid}\n") == cid
    assert parse_cid(cid.upper()) == cid  # multibase "B": base32 upper, same CID


def test_digest_of_returns_the_sha256_inside_the_cid() -> None:
    data = b"diff --git a/x b/x\n"
    assert digest_of(cid_of(data)) == hashlib.sha256(data).digest()


def test_cid_matches_checks_bytes_against_a_cid() -> None:
    cid = cid_of(b"one")
    assert cid_matches(cid, b"one")
    assert not cid_matches(cid, b"two")


def test_single_block_limit_is_one_ipfs_chunk() -> None:
    assert is_single_block(b"x" * IPFS_CHUNK_SIZE)
    assert not is_single_block(b"x" * (IPFS_CHUNK_SIZE + 1))


BAD_CIDS = [
    ("", "it is empty"),
    ("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD", "CIDv0"),
    ("bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa", "codec 0x70 (dag-pb)"),
    (
        "bafkrgqbqt3gerhas23vuzrapkdeqf4vu2dwxp3srdj6hvg6nhsug2tgyn6mj3u23yx7utftq3i2ckw2fwdh5q"
        "mhid5qf3t35yvkc5e5ottlw6",
        "hash 0x13 (sha2-512)",
    ),
    ("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk", "58 characters"),
    ("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1", "not base32"),
    ("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykv", "canonical"),
    ("zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn", "multibase prefix 'z'"),
    ("bafkqaaa", "identity"),
    ("not a cid at all", "multibase prefix 'n'"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_CIDS)
def test_malformed_cids_are_refused_naming_the_value_and_a_valid_form(
    bad: str, reason: str
) -> None:
    with pytest.raises(InvalidCidError) as caught:
        parse_cid(bad)
    message = str(caught.value)
    assert reason in message
    assert repr(bad[:77]).rstrip("'") in message
    assert "bafkrei" in message and "59 characters" in message


def test_invalid_cid_error_is_a_value_error_and_a_patch_error() -> None:
    with pytest.raises(ValueError):
        parse_cid("nope")
    with pytest.raises(PatchError):
        parse_cid("nope")


def test_parse_cid_refuses_non_strings() -> None:
    with pytest.raises(InvalidCidError, match="must be a string, got bytes"):
        parse_cid(b"bafkrei")  # type: ignore[arg-type]
