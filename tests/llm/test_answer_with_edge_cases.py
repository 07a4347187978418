"""A code answer may carry the model's own edge cases in a second block (issue 11): the
candidate comes from the block that defines the function, the edge cases from the other."""

from __future__ import annotations

from agentic_action.llm import ParseRejection, parse_candidate, parse_edge_cases

ORIGINAL = """def dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
"""
ANSWER = """Keep the order with dict.fromkeys.

```python
def dedupe(items):
    return list(dict.fromkeys(items))
```

```python
def edge_cases():
    return [(([[1], [1]],), {})]
```
"""


def test_the_function_and_the_edge_cases_come_from_their_own_blocks() -> None:
    parsed = parse_candidate(
        ANSWER, target_file="pkg/d.py", original_source=ORIGINAL, qualname="dedupe"
    )
    assert not isinstance(parsed, ParseRejection)
    assert parsed.new_source == "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
    assert parse_edge_cases(ANSWER) == "def edge_cases():\n    return [(([[1], [1]],), {})]\n"


def test_edge_cases_written_beside_the_function_never_reach_the_users_module() -> None:
    # one block holding both (against the prompt): the function is spliced, edge_cases() and
    # the import only it uses stay out of the file; the gate still gets them
    answer = """```python
import math

def dedupe(items):
    return list(dict.fromkeys(items))

def edge_cases():
    return [(([[1], [1]],), {}), (([math.nan],), {})]
```
"""
    parsed = parse_candidate(
        answer, target_file="pkg/d.py", original_source=ORIGINAL, qualname="dedupe"
    )
    assert not isinstance(parsed, ParseRejection)
    assert parsed.new_source == "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
    edge = parse_edge_cases(answer)
    assert isinstance(edge, str) and "def edge_cases():" in edge
