"""Recording the real arguments of target functions while the repository's own tests run."""

from __future__ import annotations

import pickle
from pathlib import Path

import gitrepos
import pytest
from oracle_shop import PARSE, SQUARES, TOTAL

from agentic_action.model import FunctionTarget
from agentic_action.record import RecordingReport, input_files, record_inputs


def _loads(path: Path) -> object:
    return pickle.loads(path.read_bytes())  # our own recording of our own test repository


def test_recording_captures_the_real_arguments_of_the_repository_tests(
    recorded: tuple[Path, Path, RecordingReport],
) -> None:
    _, inputs, report = recorded
    assert report.tests_ok, report.log_tail
    assert [_loads(p) for p in input_files(inputs, TOTAL.key)] == [
        (([1, 2, 3],), {}),
        (([2],), {"scale": 3}),
        (([1.5, 2.5],), {}),
    ]
    assert [_loads(p) for p in input_files(inputs, PARSE.key)] == [(("12",), {}), (("twelve",), {})]
    total = report.for_target(TOTAL)
    assert (total.recorded, total.calls, total.error) == (3, 3, None)
    assert total.examples[1] == "total([2], scale=3)"
    assert report.for_target(SQUARES).recorded == 2


def test_arguments_that_cannot_be_pickled_are_skipped_with_the_reason(tmp_path: Path) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {
            "feed.py": "def consume(items):\n    return sum(1 for _ in items)\n",
            "test_feed.py": (
                "import socket\nfrom feed import consume\n\n"
                "def test_consume():\n"
                "    assert consume(x for x in range(3)) == 3\n"
                "    with socket.socket() as s:\n"
                "        assert consume([s]) == 1\n"
                "    assert consume([1, 2]) == 2\n"
                "    assert consume([1, 2]) == 2\n"
            ),
        },
    )
    target = FunctionTarget("feed.py", "consume", 1, 2)
    report = record_inputs(root, [target], out_dir=tmp_path / "inputs", timeout=120)
    seen = report.for_target(target)
    assert (seen.calls, seen.recorded, seen.duplicates) == (4, 1, 1)
    assert seen.skipped == {
        "arguments cannot be pickled: TypeError: cannot pickle 'generator' object": 1,
        "arguments cannot be pickled: TypeError: cannot pickle 'socket' object": 1,
    }
    assert "1 skipped: arguments cannot be pickled" in seen.describe()


def test_huge_arguments_and_calls_past_the_limit_are_skipped(tmp_path: Path) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {
            "big.py": "def size(data):\n    return len(data)\n",
            "test_big.py": (
                "from big import size\n\n"
                "def test_size():\n"
                "    assert size(b'x' * 5000) == 5000\n"
                "    for n in range(5):\n"
                "        assert size([n]) == 1\n"
            ),
        },
    )
    target = FunctionTarget("big.py", "size", 1, 2)
    report = record_inputs(
        root, [target], out_dir=tmp_path / "inputs", timeout=120, max_calls=3, max_bytes=1000
    )
    assert report.for_target(target).skipped == {
        "arguments larger than 1000 bytes when pickled": 1,
        "over the limit of 3 recorded inputs": 2,
    }
    assert len(input_files(tmp_path / "inputs", target.key)) == 3


def test_methods_classmethods_and_recursion_are_recorded_at_the_outermost_call(
    tmp_path: Path,
) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {
            "src/geo/__init__.py": "",
            "src/geo/shapes.py": (
                "class Box:\n"
                "    def __init__(self, w):\n"
                "        self.w = w\n"
                "    def area(self, h):\n"
                "        return self.w * h\n"
                "    @classmethod\n"
                "    def unit(cls, n):\n"
                "        return [cls(1) for _ in range(n)]\n\n"
                "def fact(n):\n"
                "    return 1 if n <= 1 else n * fact(n - 1)\n"
            ),
            "tests/test_shapes.py": (
                "from geo.shapes import Box, fact\n\n"
                "def test_shapes():\n"
                "    assert Box(2).area(3) == 6\n"
                "    assert len(Box.unit(2)) == 2\n"
                "    assert fact(5) == 120\n"
            ),
            "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['src']\n",
        },
    )
    targets = [
        FunctionTarget("src/geo/shapes.py", "Box.area", 4, 5),
        FunctionTarget("src/geo/shapes.py", "Box.unit", 6, 8),
        FunctionTarget("src/geo/shapes.py", "fact", 10, 11),
    ]
    report = record_inputs(root, targets, out_dir=tmp_path / "inputs", timeout=120)
    assert report.tests_ok, report.log_tail
    area, unit, fact = (report.for_target(t) for t in targets)
    assert area.examples == ("Box.area(<geo.shapes.Box object at 0x…>, 3)",)
    assert unit.examples == ("Box.unit(2)",)
    assert (fact.calls, fact.examples) == (1, ("fact(5)",))


def test_a_module_that_python_finds_elsewhere_is_refused(tmp_path: Path) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {"stat.py": "def size(x):\n    return 0\n", "test_x.py": "def test_x():\n    pass\n"},
    )
    # The interpreter imported the standard library's ``stat`` before the tests started.
    target = FunctionTarget("stat.py", "size", 1, 2)
    report = record_inputs(root, [target], out_dir=tmp_path / "inputs", timeout=120)
    error = report.for_target(target).error or ""
    assert "refusing to test the wrong code" in error
    assert report.for_target(target).recorded == 0


def test_a_target_file_missing_from_the_root_is_bad_input(tmp_path: Path) -> None:
    root = gitrepos.make_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    with pytest.raises(FileNotFoundError, match=r"'b\.py' does not exist"):
        record_inputs(root, [FunctionTarget("b.py", "f", 1, 1)], out_dir=tmp_path / "inputs")


def test_a_package_imported_before_the_tests_comes_from_the_worktree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytest imports ``packaging`` and ``pluggy`` before any plugin starts; a conftest may import
    # the package under test too. An installed copy must not win over the worktree's src/.
    installed = tmp_path / "site" / "vers"
    installed.mkdir(parents=True)
    (installed / "__init__.py").write_text("")
    (installed / "core.py").write_text("def key(text):\n    return 'installed copy'\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {
            "src/vers/__init__.py": "",
            "src/vers/core.py": "def key(text):\n    return tuple(text.split('.'))\n",
            "conftest.py": "import vers.core  # imported before our plugin starts\n",
            "tests/test_core.py": (
                "from vers.core import key\n\n"
                "def test_key():\n"
                "    assert key('1.2') == ('1', '2')\n"
            ),
        },
    )
    target = FunctionTarget("src/vers/core.py", "key", 1, 2)
    report = record_inputs(root, [target], out_dir=tmp_path / "inputs", timeout=120)
    seen = report.for_target(target)
    assert (seen.error, seen.recorded, seen.examples) == (None, 1, ("key('1.2')",))
    assert report.tests_ok


VERSION = """import functools


class Version:
    def __init__(self, parts):
        self.parts = parts

    def __repr__(self):
        return f"Version({self.parts}, cached={sorted(k for k in vars(self) if k != 'parts')})"

    @property
    def public(self):
        return ".".join(str(p) for p in self.parts)

    @functools.cached_property
    def total(self):
        return sum(self.parts)

    @property
    def epoch(self):
        return self.parts[0]

    @epoch.setter
    def epoch(self, value):
        self.parts[0] = value
"""
VERSION_TESTS = """from vers import Version


def test_version():
    v = Version([1, 2])
    assert v.public == "1.2"
    assert v.total == 3 and v.total == 3  # computed once, then cached on v
    assert "total" in vars(v)
    assert Version([4]).total == 4
    assert Version([1, 2]).public == "1.2"
"""


def test_read_only_properties_and_cached_properties_are_recorded_with_self(
    tmp_path: Path,
) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo", {"vers.py": VERSION, "test_vers.py": VERSION_TESTS}
    )
    public = FunctionTarget("vers.py", "Version.public", 11, 13)
    total = FunctionTarget("vers.py", "Version.total", 15, 17)
    report = record_inputs(root, [public, total], out_dir=tmp_path / "inputs", timeout=120)
    assert report.tests_ok, report.log_tail  # the tests still see a property and a cache
    seen = report.for_target(public)
    assert (seen.error, seen.calls, seen.recorded, seen.duplicates) == (None, 2, 1, 1)
    assert seen.examples == ("Version.public(Version([1, 2], cached=[]))",)
    cached = report.for_target(total)
    # The wrapper runs only when the value is not cached yet, and self is pickled before the
    # getter runs: no recorded self holds the value it computes.
    assert (cached.error, cached.calls, cached.recorded) == (None, 2, 2)
    assert cached.examples == (
        "Version.total(Version([1, 2], cached=[]))",
        "Version.total(Version([4], cached=[]))",
    )


def test_a_property_with_a_setter_is_refused_the_qualname_may_name_either_def(
    tmp_path: Path,
) -> None:
    root = gitrepos.make_repo(
        tmp_path / "repo", {"vers.py": VERSION, "test_vers.py": VERSION_TESTS}
    )
    target = FunctionTarget("vers.py", "Version.epoch", 19, 21)
    report = record_inputs(root, [target], out_dir=tmp_path / "inputs", timeout=120)
    assert report.for_target(target).error == (
        "'Version.epoch' in vers is a property with a setter or deleter: the qualname may name "
        "the getter's def or the setter's, so it is not supported"
    )
    assert report.for_target(target).recorded == 0 and report.tests_ok


def test_a_cached_function_keeps_its_cache_methods_while_recorded(tmp_path: Path) -> None:
    # packaging's conftest clears an lru_cache around every test: under a wrapper without
    # cache_clear every test errored, and the recorder saw 55 of 100,000 calls.
    root = gitrepos.make_repo(
        tmp_path / "repo",
        {
            "env.py": (
                "import functools\n\n@functools.lru_cache(maxsize=None)\n"
                "def default(name):\n    return {'name': name}\n"
            ),
            "conftest.py": (
                "from env import default\n\n"
                "def pytest_runtest_setup():\n    default.cache_clear()\n"
            ),
            "test_env.py": (
                "from env import default\n\n"
                "def test_default():\n"
                "    assert default('a') == {'name': 'a'}\n"
                "    assert default.cache_info().currsize == 1\n"
            ),
        },
    )
    target = FunctionTarget("env.py", "default", 3, 5)
    report = record_inputs(root, [target], out_dir=tmp_path / "inputs", timeout=120)
    assert report.tests_ok, report.log_tail
    assert report.for_target(target).recorded == 1
