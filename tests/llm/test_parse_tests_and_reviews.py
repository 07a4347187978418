"""Generated tests and critic reviews: accepted when usable, rejected with the reason otherwise."""

from __future__ import annotations

import pytest

from agentic_action.llm.parse import (
    ParseRejection,
    RejectReason,
    Review,
    parse_edge_cases,
    parse_review,
    parse_tests,
)

TESTS = """from sample import slow_sum


def test_empty():
    assert slow_sum([]) == 0


class TestNegative:
    def test_negative(self):
        assert slow_sum([-1, -2]) == -3
"""


def test_fenced_generated_tests_are_returned_as_code() -> None:
    assert parse_tests(f"Tests:\n```python\n{TESTS}```\nDone.") == TESTS


def test_tests_split_over_two_blocks_are_joined() -> None:
    answer = (
        "```python\nimport math\n```\nand\n```python\ndef test_pi():\n    assert math.pi > 3\n```"
    )
    assert parse_tests(answer) == "import math\n\n\ndef test_pi():\n    assert math.pi > 3\n"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", RejectReason.EMPTY),
        ("I would test the empty list and negative numbers.", RejectReason.NO_CODE),
        ("```python\ndef test_x(:\n    pass\n```", RejectReason.SYNTAX_ERROR),
        ("```python\ndef helper():\n    return 1\n```", RejectReason.NO_TESTS),
    ],
)
def test_unusable_test_answers_are_rejected(answer: str, reason: RejectReason) -> None:
    result = parse_tests(answer)
    assert isinstance(result, ParseRejection)
    assert result.reason is reason


def test_review_in_a_json_block_is_parsed() -> None:
    answer = (
        'My review:\n```json\n{"correctness": 9, "performance": 6.5, "style": 8,'
        ' "comments": "cache the length"}\n```'
    )
    review = parse_review(answer)
    assert review == Review(9.0, 6.5, 8.0, "cache the length")
    assert isinstance(review, Review) and review.score == pytest.approx(23.5 / 3)


def test_bare_review_json_inside_prose_is_parsed() -> None:
    answer = 'Sure. {"correctness": 10, "performance": 2, "style": 5} Hope it helps.'
    assert parse_review(answer) == Review(10.0, 2.0, 5.0, "")


@pytest.mark.parametrize(
    "answer",
    [
        "Looks good to me!",
        '{"correctness": 11, "performance": 5, "style": 5}',
        '{"correctness": "high", "performance": 5, "style": 5}',
        '{"performance": 5, "style": 5}',
    ],
)
def test_unusable_reviews_are_rejected(answer: str) -> None:
    result = parse_review(answer)
    assert isinstance(result, ParseRejection)
    assert result.reason is RejectReason.INVALID_REVIEW


def test_edge_case_code_defining_edge_cases_is_returned() -> None:
    code = "def edge_cases():\n    return [(([],), {}), ((list(range(10**5)),), {})]\n"
    assert parse_edge_cases(f"```python\n{code}```") == code


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", RejectReason.EMPTY),
        ("Try the empty list.", RejectReason.NO_CODE),
        ("```python\ndef cases():\n    return []\n```", RejectReason.FUNCTION_MISSING),
        ("```python\ndef edge_cases(:\n```", RejectReason.SYNTAX_ERROR),
    ],
)
def test_unusable_edge_case_answers_are_rejected(answer: str, reason: RejectReason) -> None:
    result = parse_edge_cases(answer)
    assert isinstance(result, ParseRejection)
    assert result.reason is reason
