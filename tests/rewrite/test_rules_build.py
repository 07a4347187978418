"""AO102, AO104, AO105, AO106: loops that build a value -> one comprehension (or join)."""

from __future__ import annotations

from rewrite_support import assert_fires, assert_silent, src

LISTS = [([],), ([1, -2, 3],), ([0, 5, 5, -1],)]
WORDS = [([],), (["a", "B", "a"],), (["Hello", "hello", "x"],)]


# --- AO104 list.append -> list comprehension ------------------------------------------------
def test_list_append_loop_with_filter_becomes_list_comprehension() -> None:
    before = src("""
        def f(xs):
            # doubled positives
            out = []  # result
            for x in xs:
                if x > 0:
                    out.append(x * 2)
            return out
    """)
    after = src("""
        def f(xs):
            # doubled positives
            out = [x * 2 for x in xs if x > 0]  # result
            return out
    """)
    outcome = assert_fires(before, after, "AO104", LISTS)
    assert [e.line for e in outcome.edits] == [4]  # the loop's line in the original


def test_nested_loops_become_one_comprehension_and_the_comment_above_the_loop_stays() -> None:
    before = src("""
        def f(xs):
            out = list()
            # every pair
            for a in xs:
                for b in xs:
                    out.append((a, b))
            return out
    """)
    after = src("""
        def f(xs):
            # every pair
            out = [(a, b) for a in xs for b in xs]
            return out
    """)
    assert_fires(before, after, "AO104", LISTS)


def test_list_loop_stays_when_the_loop_variable_is_read_after_the_loop() -> None:
    assert_silent(
        src("""
            def f(xs):
                out = []
                for x in xs:
                    out.append(x)
                return out, x
        """),
        "AO104",
    )


def test_list_loop_stays_when_the_list_is_used_inside_the_loop() -> None:
    assert_silent(
        src("""
            def f(xs):
                out = []
                for x in xs:
                    out.append(len(out) + x)
                return out
        """),
        "AO104",
    )


def test_list_loop_stays_with_break_else_try_or_comments() -> None:
    for body in (
        "for x in xs:\n        if x:\n            break\n        out.append(x)",
        "for x in xs:\n        out.append(x)\n    else:\n        out.append(0)",
        "for x in xs:\n        out.append(x)  # keep",
    ):
        assert_silent(f"def f(xs):\n    out = []\n    {body}\n    return out\n", "AO104")
    assert_silent(
        src("""
            def f(xs):
                try:
                    out = []
                    for x in xs:
                        out.append(1 / x)
                except ZeroDivisionError:
                    return out
                return out
        """),
        "AO104",
    )


def test_list_loop_stays_when_a_closure_sees_the_list_or_list_is_shadowed() -> None:
    assert_silent(
        src("""
            def f(xs):
                out = []
                def peek():
                    return len(out)
                for x in xs:
                    out.append(peek())
                return out
        """),
        "AO104",
    )
    assert_silent(
        src("""
            list = tuple
            def f(xs):
                out = list()
                for x in xs:
                    out.append(x)
                return out
        """),
        "AO104",
    )


def test_list_loop_stays_when_the_element_uses_super_or_yield() -> None:
    assert_silent(
        src("""
            class A:
                def f(self, xs):
                    out = []
                    for x in xs:
                        out.append(super().f(x))
                    return out
        """),
        "AO104",
        "A.f",
    )
    generator = "def f(xs):\n    out = []\n    for x in xs:\n        out.append((yield x))\n"
    assert_silent(generator + "    return out\n", "AO104")


# --- AO106 set.add -> set comprehension ------------------------------------------------------
def test_set_add_loop_becomes_set_comprehension() -> None:
    before = src("""
        def f(words):
            seen = set()
            for w in words:
                seen.add(w.lower())
            return seen
    """)
    after = src("""
        def f(words):
            seen = {w.lower() for w in words}
            return seen
    """)
    assert_fires(before, after, "AO106", WORDS)


def test_set_loop_stays_when_set_is_not_the_builtin() -> None:
    assert_silent(
        src("""
            from mylib import set
            def f(words):
                seen = set()
                for w in words:
                    seen.add(w)
                return seen
        """),
        "AO106",
    )


# --- AO105 d[k] = v -> dict comprehension ----------------------------------------------------
def test_dict_store_loop_becomes_dict_comprehension() -> None:
    before = src("""
        def f(words):
            index = {}
            for w in words:
                index[w.lower()] = w
            return index
    """)
    after = src("""
        def f(words):
            index = {w.lower(): w for w in words}
            return index
    """)
    assert_fires(before, after, "AO105", WORDS)


def test_dict_loop_stays_when_key_and_value_both_run_code() -> None:
    # the loop evaluates the value first, the comprehension the key first
    assert_silent(
        src("""
            def f(words, log):
                index = {}
                for w in words:
                    index[log(w)] = log(w.upper())
                return index
        """),
        "AO105",
    )


def test_dict_loop_stays_when_the_dict_is_read_inside_the_loop() -> None:
    assert_silent(
        src("""
            def f(words):
                counts = {}
                for w in words:
                    counts[w] = counts.get(w, 0) + 1
                return counts
        """),
        "AO105",
    )


# --- AO102 s += piece -> "".join -------------------------------------------------------------
def test_string_concatenation_of_exact_strings_becomes_join() -> None:
    before = src("""
        def f(n):
            s = ""
            for i in range(n):
                if i % 2:
                    s += f"{i},"
            return s
    """)
    after = src("""
        def f(n):
            s = "".join([f"{i}," for i in range(n) if i % 2])
            return s
    """)
    assert_fires(before, after, "AO102", [(0,), (1,), (7,)])


def test_string_concatenation_of_str_of_ints_becomes_join() -> None:
    before = "def f(xs):\n    s = ''\n    for x in xs:\n        s += str(len(x))\n    return s\n"
    after = "def f(xs):\n    s = ''.join([str(len(x)) for x in xs])\n    return s\n"
    assert_fires(before, after, "AO102", [([],), (["ab", "c"],)])


def test_string_concatenation_stays_when_pieces_may_not_be_exact_str() -> None:
    # `x` could be a str subclass with __radd__, or any object with __radd__
    plain = "def f(xs):\n    s = ''\n    for x in xs:\n        s += x\n    return s\n"
    assert_silent(plain, "AO102")
    assert_silent(
        "def f(xs):\n    s = ''\n    for x in xs:\n        s += f'{x}'\n    return s\n", "AO102"
    )


def test_string_concatenation_stays_when_the_string_is_read_in_the_loop() -> None:
    assert_silent(
        src("""
            def f(n):
                s = ""
                for i in range(n):
                    s += str(len(s))
                return s
        """),
        "AO102",
    )


def test_long_comprehensions_are_split_one_clause_per_line() -> None:
    before = src("""
        def f(pairs):
            safe = []
            for first, last in pairs:
                for code in range(ord(first), ord(last) + 1):
                    safe.append(chr(code))
            return safe
    """)
    after = src("""
        def f(pairs):
            safe = [
                chr(code)
                for first, last in pairs
                for code in range(ord(first), ord(last) + 1)
            ]
            return safe
    """)
    assert_fires(before, after, "AO104", [([],), ([("a", "c"), ("x", "z")],)])
