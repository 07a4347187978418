"""AO101 membership -> set, AO108 keys -> items, AO109 range(len) -> iteration, AO113 -> get."""

from __future__ import annotations

from rewrite_support import assert_fires, assert_silent, src


# --- AO101 membership test against constants -> set -------------------------------------------
def test_inline_constant_list_membership_in_a_loop_becomes_a_set() -> None:
    before = src("""
        def f(words):
            n = 0
            for w in words:
                if len(w) in [3, 5, 8]:
                    n += 1
            return n
    """)
    after = before.replace("[3, 5, 8]", "{3, 5, 8}")
    assert_fires(before, after, "AO101", [([],), (["abc", "ab", "abcde", "x" * 8],)])


def test_local_constant_tuple_used_only_for_membership_becomes_a_set() -> None:
    before = src("""
        def f(n):
            SKIP = (3, 5, "x")
            total = 0
            for i in range(n):
                if i not in SKIP:
                    total += i
            return total
    """)
    # the display goes into the test, where it is one constant: no call builds a set (a set
    # built per call is slower than the list on tiny inputs)
    after = before.replace('    SKIP = (3, 5, "x")\n', "").replace("SKIP:", '{3, 5, "x"}:')
    outcome = assert_fires(before, after, "AO101", [(0,), (4,), (10,)])
    assert outcome.edits[0].line == 2  # the binding is what changed
    assert "built once at compile time" in outcome.edits[0].rationale


def test_a_binding_inside_a_block_stays_a_binding_but_becomes_a_set() -> None:
    # not a statement of the body itself: a test could run where the binding did not, so the
    # binding stays where it is (as a set)
    before = src("""
        def f(n, strict):
            total = 0
            if strict:
                SKIP = [3, 5]
                for i in range(n):
                    if i not in SKIP:
                        total += i
            return total
    """)
    after = before.replace("[3, 5]", "{3, 5}")
    assert_fires(before, after, "AO101", [(0, True), (6, True), (6, False)])


def test_membership_stays_when_the_probe_may_be_unhashable_or_oddly_hashed() -> None:
    # `w` could be a list (TypeError with a set) or have its own __eq__/__hash__
    assert_silent(
        "def f(ws):\n    return [w for w in ws if w in ['a', 'b']]\n",
        "AO101",
    )


def test_membership_stays_when_the_list_is_mutated_rebound_or_escapes() -> None:
    for extra in ("SKIP.append(9)", "SKIP = [1, 2]", "print(SKIP)"):
        assert_silent(
            src(f"""
                def f(n):
                    SKIP = [3, 5]
                    {extra}
                    return [i for i in range(n) if i in SKIP]
            """),
            "AO101",
        )


def test_membership_stays_for_unhashable_constants_and_outside_loops() -> None:
    assert_silent("def f(n):\n    return [i for i in range(n) if i in [[1], [2]]]\n", "AO101")
    assert_silent("def f(n):\n    return len(str(n)) in [1, 2]\n", "AO101")


# --- AO108 for k in d: d[k] -> items() --------------------------------------------------------
def test_loop_over_local_dict_keys_reading_values_becomes_items() -> None:
    before = src("""
        def f(pairs):
            totals = dict()
            for k, v in pairs:
                totals[k] = totals.get(k, 0) + v
            lines = []
            for k in totals.keys():
                if totals[k] > 1:
                    lines.append(f"{k}={totals[k]}")
            return lines
    """)
    after = src("""
        def f(pairs):
            totals = dict()
            for k, v in pairs:
                totals[k] = totals.get(k, 0) + v
            lines = []
            for k, value in totals.items():
                if value > 1:
                    lines.append(f"{k}={value}")
            return lines
    """)
    assert_fires(before, after, "AO108", [([],), ([("a", 1), ("b", 2), ("a", 3)],)])


def test_keys_loop_stays_for_parameters_and_escaping_dicts() -> None:
    # a parameter may be any mapping (or a list): d[k] and items() can differ
    assert_silent("def f(d):\n    return [d[k] for k in d]\n", "AO108")
    assert_silent("def f(d, g):\n    for k in d:\n        g(d[k])\n", "AO108")
    assert_silent(
        src("""
            def f(pairs, g):
                d = dict(pairs)
                g(d)
                out = []
                for k in d:
                    out.append(d[k])
                return out
        """),
        "AO108",
    )


def test_keys_loop_stays_when_the_loop_changes_the_dict() -> None:
    assert_silent(
        src("""
            def f(pairs):
                d = dict(pairs)
                for k in d:
                    d[k] = d[k] + 1
                return d
        """),
        "AO108",
    )


# --- AO109 range(len(seq)) -> iterate ---------------------------------------------------------
def test_range_len_loop_used_only_for_indexing_iterates_the_sequence() -> None:
    before = src("""
        def f(xs):
            names = [str(x) for x in xs]
            size = 0
            for i in range(len(names)):
                size += len(names[i])
            return size
    """)
    after = src("""
        def f(xs):
            names = [str(x) for x in xs]
            size = 0
            for item in names:
                size += len(item)
            return size
    """)
    assert_fires(before, after, "AO109", [([],), ([1, 22, 333],)])


def test_range_len_stays_when_the_index_is_needed_or_sequence_unknown() -> None:
    assert_silent(
        "def f(xs):\n    ys = list(xs)\n    return [i * ys[i] for i in range(len(ys))]\n", "AO109"
    )
    body = "    for i in range(len(ys)):\n        print(i, ys[i])\n"
    assert_silent("def f(xs):\n    ys = list(xs)\n" + body, "AO109")
    # a parameter may be a dict keyed by ints: ys[i] is not iteration
    assert_silent("def f(ys):\n    for i in range(len(ys)):\n        print(ys[i])\n", "AO109")
    after_loop = "    for i in range(len(ys)):\n        print(ys[i])\n    return i\n"
    assert_silent("def f(xs):\n    ys = list(xs)\n" + after_loop, "AO109")


def test_range_len_stays_when_the_loop_mutates_the_sequence() -> None:
    assert_silent(
        src("""
            def f(xs):
                ys = list(xs)
                for i in range(len(ys)):
                    ys.append(ys[i])
                return ys
        """),
        "AO109",
    )


# --- AO113 if k in d: v = d[k] else: v = D -> d.get ----------------------------------------------
def test_membership_then_lookup_of_a_local_dict_becomes_get() -> None:
    before = src("""
        def f(keys, default):
            cache = {"a": 1, "b": None}
            out = []
            for k in keys:
                if k in cache:
                    v = cache[k]
                else:
                    v = default
                out.append(v)
            return out
    """)
    after = src("""
        def f(keys, default):
            cache = {"a": 1, "b": None}
            out = []
            for k in keys:
                v = cache.get(k, default)
                out.append(v)
            return out
    """)
    assert_fires(before, after, "AO113", [([], 0), (["a", "b", "c"], -1)])


def test_negated_membership_with_returns_becomes_get() -> None:
    before = src("""
        def f(k):
            table = dict(a=1)
            if k not in table:
                return 0
            else:
                return table[k]
    """)
    after = src("""
        def f(k):
            table = dict(a=1)
            return table.get(k, 0)
    """)
    assert_fires(before, after, "AO113", [("a",), ("z",)])


def test_get_stays_when_the_default_runs_code_or_the_dict_is_unknown() -> None:
    assert_silent(
        src("""
            def f(k, make):
                d = {}
                if k in d:
                    v = d[k]
                else:
                    v = make()
                return v
        """),
        "AO113",
    )
    assert_silent(
        "def f(k, d):\n    if k in d:\n        v = d[k]\n    else:\n        v = 0\n    return v\n",
        "AO113",
    )
