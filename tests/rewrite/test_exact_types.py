"""The exact-type proofs the membership and join rules rely on (int/str, never a subclass)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from agentic_action.rewrite._collections import exact_type
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._facts import module_facts

PRELUDE = "def f(p, xs, text):\n    ints = [len(x) for x in xs]\n"


def _type_of(expr: str, prelude: str = PRELUDE, header: str = "") -> str | None:
    source = header + prelude + f"    probe = {expr}\n"
    module = cst.parse_module(source)
    func = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    ctx = FunctionContext(func, module_facts(ast.parse(source)))
    last = func.body.body[-1]
    assert isinstance(last, cst.SimpleStatementLine)
    assign = last.body[0]
    assert isinstance(assign, cst.Assign)
    return exact_type(assign.value, ctx)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("3", "int"),
        ("'a' 'b'", "str"),
        ("f'{p}:'", "str"),
        ("len(p) * 2 + ord('a')", "int"),
        ("str(len(p))", "str"),
        ("'-'.join(xs).upper()", "str"),
        ("'abc'[0]", "str"),
        ("[i for i in range(3)][0]", None),
        ("p", None),  # a parameter can be anything
        ("f'{p}'", None),  # one part: __format__ may return a str subclass
        ("str(p)", None),  # __str__ may return a str subclass
        ("b'x'", None),
        ("len(p) / 2", None),
        ("2 ** len(p)", None),
        ("p.upper()", None),
    ],
)
def test_exact_type_of_expressions(expr: str, expected: str | None) -> None:
    assert _type_of(expr) == expected


def test_loop_variables_and_locals_take_the_type_of_every_binding() -> None:
    loops = (
        PRELUDE
        + "    for i in range(3):\n        pass\n    for n, x in enumerate(xs):\n        pass\n"
    )
    assert _type_of("i", loops) == "int"
    assert _type_of("n", loops) == "int"
    assert _type_of("x", loops) is None
    counter = PRELUDE + "    k = 0\n    k += len(p)\n"
    assert _type_of("k", counter) == "int"
    mixed = PRELUDE + "    k = 0\n    k = p\n"
    assert _type_of("k", mixed) is None
    from_list = PRELUDE + "    for m in ints:\n        pass\n"
    assert _type_of("m", from_list) == "int"
    grown = PRELUDE + "    ints.append(p)\n    for m in ints:\n        pass\n"
    assert _type_of("m", grown) is None


def test_shadowed_builtins_prove_nothing() -> None:
    assert _type_of("len(p)", header="from helpers import len\n") is None
    assert _type_of("len(p)", header="from helpers import *\n") is None
