"""Answer parsing: each form accepted, each rejection named, nothing outside the target touched."""

from __future__ import annotations

import pytest

from agentic_action.llm.parse import (
    ParsedCode,
    ParseRejection,
    RejectReason,
    parse_candidate,
)

ORIGINAL = '''"""Sample module."""

import functools
import math
from typing import Iterable

LIMIT = 10


def slow_sum(values: Iterable[int]) -> int:
    # add the values one by one
    total = 0
    for v in values:
        total = total + v
    return total


@functools.lru_cache(maxsize=None)
def other(x):
    return x * 2


class Shapes:
    scale = 2

    def area(self, r: float) -> float:
        result = 0.0
        for _ in range(1):
            result += math.pi * r * r
        return result * self.scale

    def name(self):
        return "shape"
'''

FAST_SUM = '''def slow_sum(values: Iterable[int]) -> int:
    """Faster: the builtin."""
    return sum(values)
'''

FAST_AREA = """def area(self, r: float) -> float:
    return math.pi * r * r * self.scale
"""

TARGET = "pkg/sample.py"


def parse(answer: str, qualname: str = "slow_sum", original: str = ORIGINAL) -> object:
    return parse_candidate(answer, target_file=TARGET, original_source=original, qualname=qualname)


def accepted(answer: str, qualname: str = "slow_sum", original: str = ORIGINAL) -> ParsedCode:
    result = parse(answer, qualname, original)
    assert isinstance(result, ParsedCode), result
    return result


def rejected(answer: str, qualname: str = "slow_sum", original: str = ORIGINAL) -> ParseRejection:
    result = parse(answer, qualname, original)
    assert isinstance(result, ParseRejection), result
    return result


def fenced(code: str, lang: str = "python") -> str:
    return f"Here is a faster version:\n\n```{lang}\n{code}```\n\nIt uses the builtin."


def replace_function(source: str, old_start: str, old_end: str, new: str) -> str:
    """The expected file: the text from old_start through old_end replaced by new."""
    start = source.index(old_start)
    end = source.index(old_end, start) + len(old_end)
    return source[:start] + new + source[end:]


EXPECTED_SUM = replace_function(ORIGINAL, "def slow_sum", "return total\n", FAST_SUM)


# -- accepted forms -----------------------------------------------------------------------------


def test_fenced_whole_function_is_spliced_keeping_the_rest_byte_identical() -> None:
    result = accepted(fenced(FAST_SUM))
    assert result.new_source == EXPECTED_SUM
    assert result.form == "function"
    assert result.added == ()


def test_raw_code_without_fences_is_accepted() -> None:
    assert accepted(FAST_SUM).new_source == EXPECTED_SUM


def test_the_last_block_defining_the_function_wins() -> None:
    first = FAST_SUM.replace("sum(values)", "sum(list(values))")
    answer = fenced(first) + "\nEven better:\n" + fenced(FAST_SUM)
    assert accepted(answer).new_source == EXPECTED_SUM


def test_whole_file_answer_takes_only_the_function_and_keeps_other_bytes() -> None:
    whole = EXPECTED_SUM.replace("LIMIT = 10", "LIMIT = (10)")  # same AST, other bytes
    result = accepted(fenced(whole))
    assert result.form == "file"
    assert result.new_source == EXPECTED_SUM


def test_method_given_alone_is_reindented_into_its_class() -> None:
    result = accepted(fenced(FAST_AREA), qualname="Shapes.area")
    indented = "".join(
        "    " + line if line.strip() else line for line in FAST_AREA.splitlines(True)
    )
    expected = replace_function(ORIGINAL, "    def area", "return result * self.scale\n", indented)
    assert result.new_source == expected


def test_method_given_in_its_class_with_other_members_elided() -> None:
    block = "class Shapes:\n    scale = 2\n\n    " + FAST_AREA.replace("\n    ", "\n        ")
    result = accepted(fenced(block), qualname="Shapes.area")
    assert "return math.pi * r * r * self.scale\n\n    def name(self):" in result.new_source


def test_new_import_and_helper_are_added_above_and_reported() -> None:
    code = (
        "import operator\n\n"
        "def _add(a, b):\n    return operator.add(a, b)\n\n"
        "def slow_sum(values: Iterable[int]) -> int:\n"
        "    return functools.reduce(_add, values, 0)\n"
    )
    result = accepted(fenced(code))
    assert result.added == ("import operator", "def _add")
    assert "from typing import Iterable\nimport operator\n\nLIMIT = 10" in result.new_source
    assert "def _add(a, b):\n    return operator.add(a, b)\n\n\ndef slow_sum" in result.new_source


def test_demo_main_block_and_unused_imports_in_the_answer_are_left_out() -> None:
    code = "import os\n\n" + FAST_SUM + "\n\nif __name__ == '__main__':\n    print(slow_sum([1]))\n"
    result = accepted(fenced(code))
    assert result.new_source == EXPECTED_SUM


def test_import_goes_after_the_docstring_when_the_file_has_no_imports() -> None:
    original = '"""Doc."""\n\n\ndef f(xs):\n    return list(xs)\n'
    answer = fenced("import copy\n\ndef f(xs):\n    return copy.copy(list(xs))\n")
    result = accepted(answer, qualname="f", original=original)
    assert result.new_source == (
        '"""Doc."""\n\nimport copy\n\n\ndef f(xs):\n    return copy.copy(list(xs))\n'
    )  # as ruff format / black lay it out, so the style check passes


def test_good_diff_is_applied_to_the_target_file() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n"
        "@@ -10,6 +10,3 @@\n"
        " def slow_sum(values: Iterable[int]) -> int:\n"
        "-    # add the values one by one\n-    total = 0\n-    for v in values:\n"
        "-        total = total + v\n-    return total\n"
        '+    """Faster: the builtin."""\n+    return sum(values)\n'
    )
    result = accepted(fenced(diff, "diff"))
    assert result.form == "diff"
    assert result.new_source == EXPECTED_SUM


def test_diff_with_wrong_line_numbers_and_counts_applies_by_content() -> None:
    diff = (
        "--- pkg/sample.py\n+++ pkg/sample.py\n@@ -3,2 +3,99 @@\n"
        "     for v in values:\n-        total = total + v\n+        total += v\n"
    )
    result = accepted(diff)
    assert result.new_source == ORIGINAL.replace("total = total + v", "total += v")


def test_diff_adding_an_import_and_a_commented_helper_is_accepted() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -4,2 +4,3 @@\n import math\n"
        "+import operator\n from typing import Iterable\n"
        "@@ -8,2 +9,7 @@\n \n \n+# helper\n+def _add(a, b):\n+    return operator.add(a, b)\n+\n+\n"
        " def slow_sum(values: Iterable[int]) -> int:\n"
        "@@ -13,2 +18,2 @@\n     for v in values:\n"
        "-        total = total + v\n+        total = _add(total, v)\n"
    )
    result = accepted(diff)
    assert result.added == ("import operator", "def _add")
    assert "import math\nimport operator\nfrom typing" in result.new_source
    assert "# helper\ndef _add(a, b):" in result.new_source


def test_diff_without_file_headers_applies_to_the_target() -> None:
    diff = "@@ -13,2 +13,2 @@\n     for v in values:\n"
    diff += "-        total = total + v\n+        total += v\n"
    result = accepted(fenced(diff, "diff"))
    assert result.new_source == ORIGINAL.replace("total = total + v", "total += v")


def test_crlf_file_keeps_its_line_endings() -> None:
    original = ORIGINAL.replace("\n", "\r\n")
    result = accepted(fenced(FAST_SUM), original=original)
    assert result.new_source == EXPECTED_SUM.replace("\n", "\r\n")


# -- rejections ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["", "   \n\t  "])
def test_empty_answer_is_rejected(answer: str) -> None:
    assert rejected(answer).reason is RejectReason.EMPTY


def test_no_change_answer_is_recorded_as_unchanged() -> None:
    assert rejected("NO CHANGE").reason is RejectReason.UNCHANGED


def test_prose_without_code_is_rejected() -> None:
    answer = "You could use the builtin sum function, which is implemented in C."
    assert rejected(answer).reason is RejectReason.NO_CODE


def test_only_non_python_blocks_count_as_no_code() -> None:
    assert rejected(fenced("pip install numpy\n", "bash")).reason is RejectReason.NO_CODE


def test_code_that_does_not_parse_is_rejected() -> None:
    broken = "def slow_sum(values: Iterable[int]) -> int:\n    return sum(values\n"
    result = rejected(fenced(broken))
    assert result.reason is RejectReason.SYNTAX_ERROR
    assert "line" in result.detail


def test_whole_file_without_the_function_is_rejected_as_deleting_it() -> None:
    without = replace_function(ORIGINAL, "def slow_sum", "return total\n\n\n", "")
    assert rejected(fenced(without)).reason is RejectReason.FUNCTION_MISSING


def test_renamed_function_is_rejected_as_missing() -> None:
    renamed = FAST_SUM.replace("def slow_sum", "def fast_sum")
    result = rejected(fenced(renamed))
    assert result.reason is RejectReason.FUNCTION_MISSING
    assert "fast_sum" in result.detail


def test_diff_deleting_the_function_is_rejected() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -10,7 +10,1 @@\n"
        "-def slow_sum(values: Iterable[int]) -> int:\n-    # add the values one by one\n"
        "-    total = 0\n-    for v in values:\n-        total = total + v\n-    return total\n"
        "+SLOW = None\n"
    )
    assert rejected(diff).reason is RejectReason.FUNCTION_MISSING


@pytest.mark.parametrize(
    ("signature", "what"),
    [
        ("def slow_sum(values: Iterable[int], start: int = 0) -> int:", "parameters"),
        ("def slow_sum(items: Iterable[int]) -> int:", "parameters"),
        ("def slow_sum(values: Iterable[int] = ()) -> int:", "default values"),
        ("def slow_sum(values: list[int]) -> int:", "annotations"),
        ("def slow_sum(values: Iterable[int]) -> float:", "annotations"),
        ("async def slow_sum(values: Iterable[int]) -> int:", "async-ness"),
        ("@functools.cache\ndef slow_sum(values: Iterable[int]) -> int:", "decorators"),
    ],
)
def test_signature_change_is_rejected(signature: str, what: str) -> None:
    code = FAST_SUM.replace("def slow_sum(values: Iterable[int]) -> int:", signature)
    result = rejected(fenced(code))
    assert result.reason is RejectReason.SIGNATURE_CHANGED
    assert what in result.detail


def test_changing_another_function_in_a_whole_file_is_rejected() -> None:
    whole = EXPECTED_SUM.replace("return x * 2", "return x + x")
    result = rejected(fenced(whole))
    assert result.reason is RejectReason.OTHER_CODE_CHANGED
    assert "other" in result.detail


def test_changing_another_method_of_the_class_is_rejected() -> None:
    block = (
        "class Shapes:\n    "
        + FAST_AREA.replace("\n    ", "\n        ")
        + "\n    def name(self):\n        return 'circle'\n"
    )
    result = rejected(fenced(block), qualname="Shapes.area")
    assert result.reason is RejectReason.OTHER_CODE_CHANGED


def test_helper_that_shadows_a_builtin_is_rejected() -> None:
    code = "def sum(values):\n    return 0\n\n" + FAST_SUM
    result = rejected(fenced(code))
    assert result.reason is RejectReason.OTHER_CODE_CHANGED
    assert "sum" in result.detail


def test_top_level_code_that_is_not_an_import_or_definition_is_rejected() -> None:
    result = rejected(fenced("print('loaded')\n\n" + FAST_SUM))
    assert result.reason is RejectReason.OTHER_CODE_CHANGED


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("from __future__ import annotations", RejectReason.SYNTAX_ERROR),  # not at the top
        ("from os.path import *", RejectReason.OTHER_CODE_CHANGED),
    ],
)
def test_diff_adding_a_module_wide_import_is_rejected(line: str, reason: RejectReason) -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -5,1 +5,2 @@\n"
        f" from typing import Iterable\n+{line}\n"
        "@@ -13,2 +14,2 @@\n     for v in values:\n"
        "-        total = total + v\n+        total += v\n"
    )
    assert rejected(diff).reason is reason


def test_same_code_with_only_comments_changed_is_rejected_as_unchanged() -> None:
    code = replace_function(ORIGINAL, "def slow_sum", "return total\n", "").strip()
    same = "def slow_sum(values: Iterable[int]) -> int:\n    total = 0  # start\n"
    same += "    for v in values:\n        total = total + v\n    return total\n"
    assert code  # the fixture still has other code
    assert rejected(fenced(same)).reason is RejectReason.UNCHANGED


def _diff_for(path_old: str, path_new: str) -> str:
    return (
        f"--- {path_old}\n+++ {path_new}\n@@ -13,2 +13,2 @@\n"
        "     for v in values:\n-        total = total + v\n+        total += v\n"
    )


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("a/pkg/other.py", "b/pkg/other.py", RejectReason.OTHER_FILE),
        ("a/../pkg/sample.py", "b/../pkg/sample.py", RejectReason.UNSAFE_PATH),
        ("a/pkg/../../etc/sample.py", "b/pkg/../../etc/sample.py", RejectReason.UNSAFE_PATH),
        ("/work/pkg/sample.py", "/work/pkg/sample.py", RejectReason.UNSAFE_PATH),
        ("/dev/null", "b/pkg/sample.py", RejectReason.OTHER_FILE),
    ],
)
def test_diff_paths_other_than_the_target_are_rejected(
    old: str, new: str, reason: RejectReason
) -> None:
    assert rejected(fenced(_diff_for(old, new), "diff")).reason is reason


def test_diff_touching_the_target_and_another_file_is_rejected() -> None:
    both = _diff_for("a/pkg/sample.py", "b/pkg/sample.py") + _diff_for("a/setup.py", "b/setup.py")
    assert rejected(fenced(both, "diff")).reason is RejectReason.OTHER_FILE


def test_diff_that_renames_the_file_is_rejected() -> None:
    diff = "diff --git a/pkg/sample.py b/pkg/x.py\nrename from pkg/sample.py\n" + _diff_for(
        "a/pkg/sample.py", "b/pkg/sample.py"
    )
    assert rejected(fenced(diff, "diff")).reason is RejectReason.OTHER_FILE


def test_diff_that_does_not_apply_is_rejected() -> None:
    diff = _diff_for("a/pkg/sample.py", "b/pkg/sample.py").replace(
        "total = total + v", "total = total * v"
    )
    result = rejected(fenced(diff, "diff"))
    assert result.reason is RejectReason.DIFF_DOES_NOT_APPLY


@pytest.mark.parametrize(
    "diff",
    [
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n",  # no hunks
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -1 +1 @@\n context only\n",
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ garbage @@\n-x\n+y\n",
    ],
)
def test_invalid_diff_is_rejected(diff: str) -> None:
    assert rejected(fenced(diff, "diff")).reason is RejectReason.INVALID_DIFF


def test_diff_changing_a_comment_outside_the_function_is_rejected() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -1,1 +1,1 @@\n"
        '-"""Sample module."""\n+"""Sample module, optimized."""\n'
        "@@ -13,2 +13,2 @@\n     for v in values:\n"
        "-        total = total + v\n+        total += v\n"
    )
    assert rejected(fenced(diff, "diff")).reason is RejectReason.OTHER_CODE_CHANGED


def test_diff_adding_an_import_above_the_module_docstring_is_rejected() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -0,0 +1,1 @@\n+import operator\n"
        "@@ -13,2 +14,2 @@\n     for v in values:\n"
        "-        total = total + v\n+        total = operator.add(total, v)\n"
    )
    result = rejected(diff)
    assert result.reason is RejectReason.OTHER_CODE_CHANGED
    assert "docstring" in result.detail


def test_diff_changing_another_function_is_rejected() -> None:
    diff = (
        "--- a/pkg/sample.py\n+++ b/pkg/sample.py\n@@ -13,2 +13,2 @@\n"
        "     for v in values:\n-        total = total + v\n+        total += v\n"
        "@@ -20,2 +20,2 @@\n def other(x):\n-    return x * 2\n+    return x + x\n"
    )
    result = rejected(diff)
    assert result.reason is RejectReason.OTHER_CODE_CHANGED
    assert "other" in result.detail


def test_original_that_does_not_parse_is_bad_input() -> None:
    with pytest.raises(ValueError, match="does not parse"):
        parse(fenced(FAST_SUM), original="def broken(:\n")


def test_unknown_qualname_is_bad_input() -> None:
    with pytest.raises(ValueError, match="qualname='missing'"):
        parse(fenced(FAST_SUM), qualname="missing")
