"""GitHub's published REST description (npm @octokit/openapi), as JSON-Schema validators.

The description is OpenAPI 3.0 (``nullable: true`` instead of JSON Schema's null type), so the
schemas an operation's answer refers to are converted before jsonschema checks an answer.
.ci/setup-octokit.sh installs the package; without it, tests fail in CI and skip elsewhere.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = ROOT / ".ci/node/node_modules/@octokit/openapi/generated/api.github.com.json"
JSON = dict[str, Any]


def require_description() -> Path:
    """The path of api.github.com.json; fails in CI (CI=true) and skips elsewhere if absent."""
    if DESCRIPTION.is_file():
        return DESCRIPTION
    message = (
        f"GitHub's REST description is missing: {DESCRIPTION}. "
        "Run `bash .ci/setup-octokit.sh` (installs npm @octokit/openapi into .ci/node/)."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@functools.lru_cache(maxsize=1)
def _spec() -> JSON:
    loaded: JSON = json.loads(require_description().read_text(encoding="utf-8"))
    return loaded


def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable: true`` becomes ``anyOf [.., null]``."""
    if isinstance(node, list):
        return [_convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _refs(item, found)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in found:
            found.add(ref)
            _refs(_resolve(ref), found)
        for value in node.values():
            _refs(value, found)


def _resolve(ref: str) -> Any:
    node: Any = _spec()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def response_schema(method: str, template: str, status: int) -> JSON:
    """The schema of the JSON body GitHub documents for this operation and status."""
    if not template:  # answered before routing: 401, spent rate limit, injected faults
        return {"$ref": "#/components/schemas/basic-error"}
    operation = _spec()["paths"][template][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None:
        if status >= 400:
            return {"$ref": "#/components/schemas/basic-error"}
        raise KeyError(f"{method} {template} documents no {status} answer")
    if "$ref" in response:
        response = _resolve(response["$ref"])
    content = response.get("content", {}).get("application/json")
    if content is None:
        raise KeyError(f"{method} {template} {status} documents no JSON body")
    schema: JSON = content["schema"]
    return schema


@functools.lru_cache(maxsize=256)
def _validator(method: str, template: str, status: int) -> jsonschema.protocols.Validator:
    schema = response_schema(method, template, status)
    refs: set[str] = set()
    _refs(schema, refs)
    components: JSON = {}
    for ref in refs:
        _, _components, kind, name = ref.split("/")
        components.setdefault(kind, {})[name] = _convert(_resolve(ref))
    root = dict(_convert(schema), components=components)
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(root)
    return validator


def problems(method: str, template: str, status: int, body: Any) -> list[str]:
    """Where ``body`` breaks the documented schema; empty when it conforms."""
    validator = _validator(method, template, status)
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message[:200]}"
        for err in validator.iter_errors(body)
    ]
