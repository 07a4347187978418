"""The differential inputs themselves, built in-process (the sandboxed generator's parts)."""

from __future__ import annotations

import math
import pickle

from agentic_action.prove.differential.mutate import call_variants, value_variants
from agentic_action.prove.differential.oddities import OddInt, OddList, OddStr
from agentic_action.prove.differential.shrink import smaller_calls
from agentic_action.prove.differential.strategies import draw_calls


def test_boundary_mutations_of_a_list_of_ints() -> None:
    found = dict(value_variants([3, 1, 3]))
    assert found["empty"] == [] and found["one-element"] == [3]
    assert found["reversed"] == [3, 1, 3] and found["duplicates"] == [3, 3, 1, 1, 3, 3]
    assert found["unhashable-elements"] == [[3], [1], [3], [3]]
    assert found["none-element"] == [None, 3, 1, 3]
    assert found["tuple-for-list"] == (3, 1, 3)
    assert list(found["one-shot-iterator"]) == [3, 1, 3]
    assert type(found["subclass"]) is OddList
    assert found["elements:huge-int"] == [10**30 + 3, 10**30 + 1, 10**30 + 3]
    assert found["elements:bool-for-int"] == [True, True, True]
    assert all(type(x) is OddInt for x in found["elements:subclass"])
    assert all(type(x) is float for x in found["elements:float-for-int"])


def test_scalars_strings_and_the_instance_of_a_method() -> None:
    floats = dict(value_variants(2.5))
    assert math.isnan(floats["nan"]) and floats["-0.0"] == 0.0 and floats["inf"] == math.inf
    texts = dict(value_variants("ab"))
    assert texts["empty-str"] == "" and not texts["non-ascii"].isascii()
    assert type(texts["subclass"]) is OddStr and texts["subclass"] == "ab"
    labels = [label for label, _, _ in call_variants(("self", 2), {"k": "v"}, first=1)]
    assert not any(label.startswith("argument 0") for label in labels)
    assert "argument 1: huge-int" in labels and "argument k=: empty-str" in labels


def test_every_variant_pickles_and_odd_values_round_trip() -> None:
    variants = call_variants(([1, "a", 2.0], {"x": (1, 2)}), {})
    for label, args, kwargs in variants:
        if "deep-nesting" not in label:  # pickled by the generator under a raised limit
            pickle.dumps((args, kwargs))
    assert "argument 0: deep-nesting" in [label for label, _, _ in variants]
    odd = pickle.loads(pickle.dumps([OddStr("a"), OddInt(3), OddList([1])]))
    assert [type(v) for v in odd] == [OddStr, OddInt, OddList] and odd == ["a", 3, [1]]


def test_hypothesis_draws_follow_the_runtime_types() -> None:
    drawn = draw_calls(([3, 1], ("x", 2)), {"scale": 1.5}, 12)
    assert len(drawn) == 12 and drawn == draw_calls(([3, 1], ("x", 2)), {"scale": 1.5}, 12)
    for args, kwargs in drawn:
        assert isinstance(args[0], list) and all(type(v) is int for v in args[0])
        assert type(args[1][0]) is str and type(args[1][1]) is int
        assert type(kwargs["scale"]) is float


def test_shrinking_leaves_elements_out_and_refreshes_one_shot_iterators() -> None:
    calls = smaller_calls(([[1], [2], [1]],), {})
    assert (([[1]],), {}) in calls and (([[2], [1]],), {}) in calls
    iterators = smaller_calls((iter([1, 2, 3]),), {})
    assert [list(args[0]) for args, _ in iterators][:2] == [[1], [2, 3]]


def test_type_substitutions_are_judged_against_the_value_they_replace() -> None:
    from agentic_action.prove.differential.mutate import reference_call, substitutes

    assert substitutes("argument 0: elements:float-for-int")
    assert substitutes("argument items=: one-shot-iterator") and substitutes("argument 0: subclass")
    assert not substitutes("argument 0: unhashable-elements") and not substitutes("argument 1: nan")
    call = ([3, 1], "x")
    assert reference_call("argument 0: one-shot-iterator", call, {}) == (call, {})
    assert reference_call("argument 0: empty-one-shot-iterator", call, {}) == (([], "x"), {})
    empty_kwarg = reference_call("argument xs=: empty-one-shot-iterator", (), {"xs": (1,)})
    assert empty_kwarg == ((), {"xs": ()})
