"""Workflow commands, outputs and the summary, read back the way the runner reads them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from action_runner import parse_commands, parse_outputs

from agentic_action.action.workflow_commands import (
    Annotation,
    Commands,
    append_summary,
    escape_data,
    escape_property,
    format_outputs,
    write_outputs,
)


def emitted(action: object) -> str:
    return action.stream.getvalue()  # type: ignore[attr-defined, no-any-return]


def commands() -> Commands:
    return Commands(io.StringIO())


def test_annotation_properties_and_message_survive_the_runners_unescaping() -> None:
    cmd = commands()
    tricky_file = "src/a,b:c%d.py"
    message = "line one\nline two: 100% sure, really\r\n::error::injected"
    cmd.annotate(Annotation("warning", message, "title: with, commas", tricky_file, 12, 14))
    (parsed,) = parse_commands(emitted(cmd))
    assert parsed.name == "warning"
    assert parsed.properties == {
        "title": "title: with, commas",
        "file": tricky_file,
        "line": "12",
        "endLine": "14",
    }
    assert parsed.data == message
    assert emitted(cmd).count("\n") == 1  # one physical line, whatever the message holds


def test_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("50%\r\n") == "50%25%0D%0A"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_error_without_location_is_a_bare_command() -> None:
    cmd = commands()
    cmd.error("bad value")
    assert emitted(cmd) == "::error::bad value\n"


def test_secrets_are_masked_whole_and_line_by_line_short_values_are_not() -> None:
    cmd = commands()
    cmd.mask("first-line-secret\nsecond-line-secret")
    cmd.mask("abc")
    masks = [c.data for c in parse_commands(emitted(cmd)) if c.name == "add-mask"]
    assert masks == [
        "first-line-secret\nsecond-line-secret",
        "first-line-secret",
        "second-line-secret",
    ]


def test_inside_a_group_nothing_the_run_prints_is_a_command() -> None:
    cmd = commands()
    with cmd.group("plan"):
        cmd.stream.write("::add-mask::stolen\n::error file=x.py::fake finding\n")
    cmd.warning("after the group")
    parsed = parse_commands(emitted(cmd))
    assert [c.name for c in parsed] == ["group", "endgroup", "warning"]


def test_echo_defuses_lines_that_look_like_commands() -> None:
    cmd = commands()
    cmd.echo("progress\n::set-env name=X::1\n  ::add-mask::y")
    assert parse_commands(emitted(cmd)) == []
    assert "progress" in emitted(cmd)


def test_outputs_use_fresh_delimiters_and_round_trip_multi_line_values(tmp_path: Path) -> None:
    values = {
        "accepted": "3",
        "report-path": "/tmp/r.json",
        "reason": "a\nb\n\nEOF\nc",
        "empty": "",
    }
    output = tmp_path / "output"
    output.write_text("earlier=1\n")
    assert write_outputs(values, {"GITHUB_OUTPUT": str(output)})
    assert parse_outputs(output.read_text()) == {"earlier": "1", **values}
    text = format_outputs({"a": "x", "b": "x"})
    delimiters = [line.split("<<")[1] for line in text.splitlines() if "<<" in line]
    assert len(set(delimiters)) == 2


@pytest.mark.parametrize("name", ["", "a=b", "x<<y", "multi\nline"])
def test_output_names_that_would_break_the_file_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="output name"):
        format_outputs({name: "v"})


def test_without_github_output_or_summary_nothing_is_written(tmp_path: Path) -> None:
    assert write_outputs({"a": "1"}, {}) is False
    assert append_summary("# hi", {}) is False


def test_summary_sections_are_appended_with_a_blank_line_between(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## report\n")
    append_summary("## request\n", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "## report\n\n## request\n"
