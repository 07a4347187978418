"""The fake GitHub server's GraphQL endpoint: ``POST /graphql``, one mutation only.

GitHub changes a pull request from draft to ready only through GraphQL
(``markPullRequestReadyForReview``; its REST API cannot). This serves exactly that mutation,
as GitHub documents it (docs.github.com/graphql/reference/mutations):

- input ``MarkPullRequestReadyForReviewInput {pullRequestId: ID!, clientMutationId: String}``,
  given as a variable (``(input: $input)``, how PyGithub sends it) or inline
  (``(input: {pullRequestId: $id})``);
- payload ``MarkPullRequestReadyForReviewPayload {clientMutationId, pullRequest}``, with the
  selected ``PullRequest`` fields among ``id number isDraft state title url __typename``;
- answers HTTP 200 ``{"data": ...}``, or ``{"data": {"markPullRequestReadyForReview": null},
  "errors": [{"type": "NOT_FOUND" | "FORBIDDEN" | "UNPROCESSABLE", "path", "locations",
  "message"}]}``; a field the schema lacks gives an ``undefinedField`` error and no data;
  no token gives HTTP 401 with a message, as GitHub does.

Any other query or mutation is answered with an error that says this fake does not serve it.
"""

from __future__ import annotations

import re
from typing import Any

import fake_github_objects as obj
from fake_github_state import State, Token

JSON = dict[str, Any]
MUTATION = "markPullRequestReadyForReview"
PULL_FIELDS = ("id", "number", "isDraft", "state", "title", "url", "__typename")
PAYLOAD_FIELDS = ("clientMutationId", "pullRequest", "__typename")
UNAUTHENTICATED = {
    "message": "This endpoint requires you to be authenticated.",
    "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql"
    "#authenticating-with-graphql",
}
NO_QUERY = "A query attribute must be specified and must be a string."
_TOKEN = re.compile(r'\$?[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"|[{}():,!]')


class GraphQLError(Exception):
    def __init__(self, error: JSON, with_data: bool = True) -> None:
        super().__init__(error.get("message", ""))
        self.error = error
        self.with_data = with_data


def answer(state: State, token: Token | None, body: Any) -> tuple[int, JSON]:
    """(HTTP status, JSON body) for one POST /graphql."""
    if token is None:
        return 401, dict(UNAUTHENTICATED)
    query = body.get("query") if isinstance(body, dict) else None
    variables = (body.get("variables") if isinstance(body, dict) else None) or {}
    if not isinstance(query, str) or not isinstance(variables, dict):
        return 200, {
            "errors": [{"message": "A query attribute must be specified and must be a string."}]
        }
    found = re.search(rf"\b{MUTATION}\s*\(", query)
    if found is None or not query.lstrip().startswith("mutation"):
        message = f"the fake GitHub server's GraphQL endpoint serves only the {MUTATION} mutation"
        return 200, {"errors": [{"message": message, "locations": [_location(query, 0)]}]}
    try:
        data = _mark_ready(state, token, query, found.start(), variables)
    except GraphQLError as error:
        out: JSON = {"errors": [error.error]}
        if error.with_data:
            out = {"data": {MUTATION: None}, **out}
        return 200, out
    return 200, {"data": {MUTATION: data}}


def _mark_ready(state: State, token: Token, query: str, at: int, variables: JSON) -> JSON:
    tokens = _TOKEN.findall(query[at:])
    arguments, index = _arguments(tokens, 2, variables)
    selection, _ = _selection(tokens, index)
    where = {"path": [MUTATION], "locations": [_location(query, at)]}
    _check_fields(selection, where)
    pull_id = arguments.get("pullRequestId")
    if not isinstance(pull_id, str):
        raise GraphQLError(
            {
                **where,
                "extensions": {"code": "missingRequiredInputObjectAttribute"},
                "message": "Argument 'pullRequestId' on InputObject "
                "'MarkPullRequestReadyForReviewInput' is required. Expected type ID!",
            },
            with_data=False,
        )
    rec = _pull_by_node_id(state, pull_id)
    if rec is None:
        message = f"Could not resolve to a node with the global id of '{pull_id}'."
        raise GraphQLError({"type": "NOT_FOUND", **where, "message": message})
    if not token.push:
        raise GraphQLError(
            {"type": "FORBIDDEN", **where, "message": "Resource not accessible by integration"}
        )
    if rec.state != "open":
        message = "Pull request is closed and cannot be marked ready for review."
        raise GraphQLError({"type": "UNPROCESSABLE", **where, "message": message})
    if rec.draft:
        rec.draft = False
        state.touch(rec)
    return _payload(state, rec, selection, arguments.get("clientMutationId"))


def _payload(state: State, rec: obj.IssueRecord, selection: JSON, mutation_id: Any) -> JSON:
    out: JSON = {}
    for name, sub in selection.items():
        if name == "clientMutationId":
            out[name] = mutation_id if isinstance(mutation_id, str) else None
        elif name == "__typename":
            out[name] = "MarkPullRequestReadyForReviewPayload"
        else:
            out[name] = {field: _pull_field(state, rec, field) for field in sub or {}}
    return out


def _pull_field(state: State, rec: obj.IssueRecord, name: str) -> Any:
    repo = next(r for r in state.repos.values() if rec in r.issues.values())
    merged = "MERGED" if rec.merged_at else None
    values = {
        "id": obj.pull_node_id(rec),
        "number": rec.number,
        "isDraft": rec.draft,
        "state": merged or rec.state.upper(),
        "title": rec.title,
        "url": f"{state.base}/{repo.full_name}/pull/{rec.number}",
        "__typename": "PullRequest",
    }
    return values[name]


def _check_fields(selection: JSON, where: JSON) -> None:
    for name, sub in selection.items():
        if name not in PAYLOAD_FIELDS:
            raise _undefined(name, "MarkPullRequestReadyForReviewPayload", where)
        for field in (sub or {}) if name == "pullRequest" else ():
            if field not in PULL_FIELDS:
                raise _undefined(field, "PullRequest", where)


def _undefined(name: str, type_name: str, where: JSON) -> GraphQLError:
    return GraphQLError(
        {
            **where,
            "extensions": {"code": "undefinedField", "typeName": type_name, "fieldName": name},
            "message": f"Field '{name}' doesn't exist on type '{type_name}'",
        },
        with_data=False,
    )


def _arguments(tokens: list[str], index: int, variables: JSON) -> tuple[JSON, int]:
    """``input: $var`` or ``input: {k: v, ...}`` after the mutation's "(", up to its ")"."""
    if tokens[index : index + 2] != ["input", ":"]:
        raise GraphQLError({"message": f"{MUTATION} takes one argument, input"}, with_data=False)
    index += 2
    if tokens[index].startswith("$"):
        value = variables.get(tokens[index][1:])
        return (value if isinstance(value, dict) else {}), _after(tokens, index, ")")
    found: JSON = {}
    index += 1  # "{"
    while tokens[index] != "}":
        if tokens[index] == ",":
            index += 1
            continue
        key, raw = tokens[index], tokens[index + 2]
        found[key] = variables.get(raw[1:]) if raw.startswith("$") else raw.strip('"')
        index += 3
    return found, _after(tokens, index, ")")


def _selection(tokens: list[str], index: int) -> tuple[JSON, int]:
    """The selection set starting at the "{" at ``index``: {field: sub-selection or None}."""
    fields: JSON = {}
    index += 1
    while index < len(tokens) and tokens[index] != "}":
        name = tokens[index]
        if index + 1 < len(tokens) and tokens[index + 1] == "{":
            fields[name], index = _selection(tokens, index + 1)
        else:
            fields[name] = None
            index += 1
    return fields, index + 1


def _after(tokens: list[str], index: int, closing: str) -> int:
    while tokens[index] != closing:
        index += 1
    return index + 1


def _pull_by_node_id(state: State, node_id: str) -> obj.IssueRecord | None:
    for repo in state.repos.values():
        for rec in repo.issues.values():
            if rec.is_pull and obj.pull_node_id(rec) == node_id:
                return rec
    return None


def _location(query: str, offset: int) -> JSON:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return {"line": line, "column": column}
