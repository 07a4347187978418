"""Sharing patches over IPFS, with the same CIDs as the local patch store.

A patch is added (and pinned) as one raw block: ``ipfs add --cid-version=1 --raw-leaves`` with
the 256 KiB chunker gives exactly ``cid_of(bytes)`` for a patch of at most 256 KiB, which the
patch store never exceeds; the node's answer is checked against ``cid_of`` every time, and
bytes read back are hashed before they are returned.

A run is announced with an index object (canonical JSON listing the run's CIDs, itself added
like a patch, so anyone can recompute its CID) and, best effort, a pubsub message with that
index CID on ``ANNOUNCE_TOPIC``. An offline node has no pubsub peers; that is reported, not
raised.

Errors: a malformed multiaddr is bad input (ValueError, at the door). A node that does not
answer raises IpfsUnavailableError from the low-level calls (add, cat, fetch_index), and is a
value from the publishing calls (publish, announce): IPFS being down never loses a patch,
because the local store already holds the bytes. ipfshttpclient (the ``ipfs`` extra) is imported
when a client is made; without it, MissingExtraError says how to install it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import warnings
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import requests

from agentic_action.extras import require
from agentic_action.patches.cid import IPFS_CHUNK_SIZE, cid_of, is_single_block, parse_cid

EXAMPLE_MULTIADDR = "/ip4/127.0.0.1/tcp/5001"
CONNECT_TIMEOUT_SECONDS = 2.0  # an unreachable node is reported this fast
READ_TIMEOUT_SECONDS = 20.0  # a cat of a CID the node must first find on the network
ANNOUNCE_TOPIC = "agentic-optimizer/runs"
INDEX_KIND = "agentic-optimizer/run-index"
INDEX_VERSION = 1
KEPT_LOCALLY = "kept locally only"

# Options of /api/v0/add that make the root CID the raw-leaf CID of the bytes (kubo, js-ipfs).
_ADD_OPTIONS = {
    "cid-version": 1,
    "raw-leaves": True,
    "hash": "sha2-256",
    "chunker": f"size-{IPFS_CHUNK_SIZE}",
    "cid-base": "base32",
    "pin": True,
}
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*$")
HostProtocol = Literal["ip4", "ip6", "dns", "dns4", "dns6"]  # how the API's host is named
_PROTOCOLS: tuple[HostProtocol, ...] = ("ip4", "ip6", "dns", "dns4", "dns6")

# ipfshttpclient 0.7 passes urllib3 a parameter it deprecated; the warning is noise here.
warnings.filterwarnings("ignore", message="The 'strict' parameter", category=FutureWarning)


class IpfsError(Exception):
    """An IPFS node answered, but not as it should (refused, or wrong content)."""


class IpfsUnavailableError(IpfsError):
    """The IPFS node could not be reached or did not answer in time."""


class IpfsIntegrityError(IpfsError):
    """Bytes or a CID from the node do not match what the CID says."""


@dataclass(frozen=True)
class ApiAddress:
    """A validated RPC API multiaddr."""

    protocol: HostProtocol
    host: str
    port: int
    scheme: Literal["http", "https"]

    @property
    def multiaddr(self) -> str:
        return f"/{self.protocol}/{self.host}/tcp/{self.port}/{self.scheme}"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if self.protocol == "ip6" else self.host
        return f"{self.scheme}://{host}:{self.port}/api/v0"


@dataclass(frozen=True)
class Published:
    """What became of one publication: on the node, or kept locally only (and why)."""

    cid: str  # always the local CID of the bytes, wherever they are
    remote: bool  # added and pinned on the node
    detail: str  # "" when remote, else "kept locally only: <reason>"


@dataclass(frozen=True)
class Announcement:
    index_cid: str  # CID of the index object (computable locally with index_bytes)
    remote: bool  # the index was added and pinned on the node
    pubsub: bool  # a pubsub message was accepted by the node
    detail: str  # what did not happen, in words; "" when everything did


@dataclass(frozen=True)
class RunIndex:
    run_id: str
    cids: tuple[str, ...]


def parse_multiaddr(addr: str) -> ApiAddress:
    """Validate an RPC API multiaddr such as ``/ip4/127.0.0.1/tcp/5001`` (``/http`` optional)."""
    parts = addr.split("/") if isinstance(addr, str) else []
    scheme: Literal["http", "https"] = "http"
    if len(parts) == 6 and parts[5] in ("http", "https"):
        scheme, parts = "https" if parts[5] == "https" else "http", parts[:5]
    if len(parts) != 5 or parts[0] != "" or parts[3] != "tcp":
        raise _bad_multiaddr(addr, "expected /<ip4|ip6|dns|dns4|dns6>/<host>/tcp/<port>[/http]")
    name, host, port_text = parts[1], parts[2], parts[4]
    protocol = next((p for p in _PROTOCOLS if p == name), None)
    if protocol is None:
        raise _bad_multiaddr(addr, f"unknown protocol {name!r}")
    if protocol in ("ip4", "ip6"):
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise _bad_multiaddr(addr, f"{host!r} is not an {protocol} address") from None
        if ip.version != int(protocol[-1]):
            raise _bad_multiaddr(addr, f"{host!r} is not an {protocol} address")
    elif not _HOST.match(host):
        raise _bad_multiaddr(addr, f"{host!r} is not a host name")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad_multiaddr(addr, f"port {port_text!r} is not a number from 1 to 65535")
    return ApiAddress(protocol, host, int(port_text), scheme)


def _bad_multiaddr(addr: object, why: str) -> ValueError:
    return ValueError(
        f"invalid IPFS API multiaddr {addr!r}: {why}; for a local node use {EXAMPLE_MULTIADDR} "
        "(set OPTIMIZER_IPFS_API)"
    )


def index_bytes(run_id: str, cids: list[str] | tuple[str, ...]) -> bytes:
    """The canonical index object of a run: same run and CIDs, same bytes, same CID."""
    if not isinstance(run_id, str) or not run_id:
        raise ValueError(f"a run index needs a non-empty run id, got {run_id!r}")
    unique = sorted({parse_cid(cid) for cid in cids})
    body = {"kind": INDEX_KIND, "version": INDEX_VERSION, "run_id": run_id, "cids": unique}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_index(data: bytes, cid: str) -> RunIndex:
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise IpfsError(f"{cid} is not a run index (not JSON: {error})") from error
    if not isinstance(body, dict) or body.get("kind") != INDEX_KIND:
        raise IpfsError(f"{cid} is not a run index (no kind {INDEX_KIND!r})")
    if body.get("version") != INDEX_VERSION:
        raise IpfsError(f"{cid} is a run index of version {body.get('version')!r}, not 1")
    run_id, cids = body.get("run_id"), body.get("cids")
    if not isinstance(run_id, str) or not isinstance(cids, list):
        raise IpfsError(f"{cid} is a run index without a run_id string and a cids list")
    return RunIndex(run_id, tuple(parse_cid(str(item)) for item in cids))


class IpfsClient:
    """A Kubo-compatible IPFS HTTP RPC API (kubo, js-ipfs), through ipfshttpclient."""

    def __init__(self, address: ApiAddress, read_timeout: float = READ_TIMEOUT_SECONDS) -> None:
        self.address = address
        self._timeout = (CONNECT_TIMEOUT_SECONDS, read_timeout)
        self._lib = require("ipfshttpclient", "ipfs", "IPFS sharing")
        # Client(), unlike ipfshttpclient.connect(), does not refuse js-ipfs by its version.
        self._client = self._lib.Client(address.multiaddr, timeout=self._timeout)

    @classmethod
    def from_multiaddr(cls, addr: str, *, read_timeout: float = READ_TIMEOUT_SECONDS) -> IpfsClient:
        """Validate ``addr`` (ValueError names it and an example); nothing is contacted yet."""
        return cls(parse_multiaddr(addr), read_timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> IpfsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- low level: raise on failure --------------------------------------------------------
    def version(self) -> str:
        """The node's version string; IpfsUnavailableError when it does not answer."""
        answer = self._call("version", lambda: self._client.version())
        return str(answer["Version"])

    def add(self, data: bytes) -> str:
        """Add and pin ``data``; return its CID, checked to equal ``cid_of(data)``."""
        if not is_single_block(data):
            raise ValueError(
                f"a patch of {len(data)} bytes is over the {IPFS_CHUNK_SIZE}-byte IPFS chunk: "
                "IPFS would not give it the local CID; split the patch"
            )
        expected = cid_of(data)
        answer = self._call("add", lambda: self._client.add_bytes(data, opts=dict(_ADD_OPTIONS)))
        if answer != expected:
            raise IpfsIntegrityError(
                f"node {self.address.multiaddr} added {len(data)} bytes as {answer!r}, but "
                f"their CIDv1 raw is {expected}; is it a Kubo-compatible API?"
            )
        return expected

    def cat(self, cid: str) -> bytes:
        """The bytes of ``cid``, verified against it (IpfsIntegrityError if they differ)."""
        cid = parse_cid(cid)
        data = self._call(f"cat {cid}", lambda: self._client.cat(cid, length=IPFS_CHUNK_SIZE + 1))
        if cid_of(bytes(data)) != cid:
            raise IpfsIntegrityError(
                f"node {self.address.multiaddr} returned {len(data)} bytes for {cid} that do not "
                "hash to it; they were discarded"
            )
        return bytes(data)

    def pinned(self, cid: str) -> bool:
        """Whether the node holds a recursive pin on ``cid``."""
        cid = parse_cid(cid)
        try:
            answer = self._call(
                f"pin ls {cid}",
                lambda: self._client.pin.ls(cid, type="recursive", opts={"cid-base": "base32"}),
            )
        except IpfsError as error:
            if "not pinned" in str(error):
                return False
            raise
        return cid in answer["Keys"]

    def fetch_index(self, cid: str) -> RunIndex:
        """Read a run's index object back (IpfsError if ``cid`` is not one)."""
        return parse_index(self.cat(cid), cid)

    # --- publishing: never raise for the node ----------------------------------------------
    def publish(self, data: bytes) -> Published:
        """Add and pin ``data`` if the node allows; otherwise say it is kept locally only."""
        cid = cid_of(data)
        try:
            self.add(data)
        except (IpfsError, ValueError) as error:
            return Published(cid, False, f"{KEPT_LOCALLY}: {error}")
        return Published(cid, True, "")

    def announce(self, run_id: str, cids: list[str] | tuple[str, ...]) -> Announcement:
        """Publish the run's index object, and its CID on the pubsub topic (best effort)."""
        published = self.publish(index_bytes(run_id, cids))
        if not published.remote:
            return Announcement(published.cid, False, False, published.detail)
        problem = self._pubsub_publish(ANNOUNCE_TOPIC, published.cid.encode("ascii"))
        detail = "" if problem is None else f"pubsub not delivered: {problem}"
        return Announcement(published.cid, True, problem is None, detail)

    def _pubsub_publish(self, topic: str, message: bytes) -> str | None:
        """Publish on pubsub; None when accepted, else why not.

        Sent with requests: ipfshttpclient 0.7 sends the topic unencoded, which current nodes
        refuse; they want it multibase-encoded (base64url, prefix "u") and the data as a file.
        """
        encoded = "u" + base64.urlsafe_b64encode(topic.encode()).decode().rstrip("=")
        try:
            response = requests.post(
                f"{self.address.url}/pubsub/pub",
                params={"arg": encoded},
                files={"file": ("message", message)},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            return f"node unreachable ({type(error).__name__})"
        if response.ok:
            return None
        return _error_message(response)

    def _call(self, what: str, call: Any) -> Any:
        errors = self._lib.exceptions
        try:
            return call()
        except errors.ConnectionError as error:
            raise self._unavailable(what, "connection failed", error) from error
        except errors.TimeoutError as error:
            how = "timed out"
            if what.startswith("cat"):
                how += " (a node that lacks a CID waits for peers to provide it)"
            raise self._unavailable(what, how, error) from error
        except errors.ProtocolError as error:
            raise self._unavailable(what, "broken connection", error) from error
        except errors.Error as error:
            raise IpfsError(
                f"IPFS node {self.address.multiaddr} refused {what}: {error}"
            ) from error

    def _unavailable(self, what: str, how: str, error: Exception) -> IpfsUnavailableError:
        connect, read = self._timeout
        return IpfsUnavailableError(
            f"IPFS node at {self.address.multiaddr} is unavailable for {what}: {how} "
            f"(connect timeout {connect:g}s, read timeout {read:g}s): {error}. Start the node "
            f"or fix OPTIMIZER_IPFS_API; patches stay in the local store."
        )


def _error_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("Message", response.text))
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
