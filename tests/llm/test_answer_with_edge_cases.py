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
