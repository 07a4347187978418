"""The LLM router against the scripted local server: calls, tokens and seconds per completion.

    python benchmarks/llm_router.py [--completions 20]

Runs, each with fresh Router objects (as separate runs would be) sharing one cache directory:
  cold      every prompt is new: one HTTP call each
  rerun     the same prompts again: answered from the cache, zero calls, zero tokens
  faults    new prompts; the first model answers 500 once per prompt, then the fallback answers
Then the time to parse each answer into a candidate file. Seconds include litellm's own work
(request building, response parsing), not a real model's thinking time. Tokens are what the
fake server reports: prompt words, and 40 per answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "_support")]

from fake_openai import FakeOpenAI, Reply  # noqa: E402

from agentic_action.llm import (  # noqa: E402
    LLMAnswer,
    LLMConfig,
    ResponseCache,
    Router,
    parse_candidate,
    prompt_target,
    render_prompt,
)

SOURCE = """import math


def norms(points):
    out = []
    for p in points:
        total = 0.0
        for x in p:
            total = total + x * x
        out.append(math.sqrt(total))
    return out
"""
ANSWER = (
    "Use math.hypot, which is implemented in C:\n\n```python\n"
    "def norms(points):\n    return [math.hypot(*p) for p in points]\n```\n"
)


def prompts(count: int, salt: str) -> list[list[dict[str, str]]]:
    target = prompt_target("pkg/geometry.py", SOURCE, "norms")
    return [
        render_prompt("adversarial", target, avoid=[f"approach {salt}-{i}"]) for i in range(count)
    ]


def run(
    label: str, config: LLMConfig, cache_dir: Path, batch: list[list[dict[str, str]]]
) -> tuple[str, int, int, int, int, int, float, list[LLMAnswer]]:
    router = Router(config, cache=ResponseCache(cache_dir))
    started = time.perf_counter()
    answers = [router.complete("adversarial", messages, temperature=0.8) for messages in batch]
    seconds = time.perf_counter() - started
    good = [a for a in answers if isinstance(a, LLMAnswer)]
    usage = router.usage().run
    return (
        label,
        len(good),
        usage.calls,
        usage.cache_hits,
        usage.prompt_tokens,
        usage.completion_tokens,
        seconds,
        good,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--completions", type=int, default=20)
    n = parser.parse_args().completions

    with (
        FakeOpenAI(default=Reply(ANSWER, completion_tokens=40)) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = LLMConfig(
            provider="openai/fake-a",
            fallbacks=("openai/fake-b",),
            api_base=server.url,
            api_key="bench",
            budget_usd=None,
            monthly_budget_usd=None,
            backoff_seconds=0.01,
        )
        t0 = time.perf_counter()
        Router(config).complete("adversarial", [{"role": "user", "content": "warm-up"}])
        first_call = time.perf_counter() - t0  # litellm import + client set-up + one call

        cache = Path(tmp) / "cache"
        cold_batch = prompts(n, "cold")
        rows = [run("cold", config, cache, cold_batch), run("rerun", config, cache, cold_batch)]
        server.script(*[Reply.error(500)] * n, model="fake-a")
        faulty = dataclasses.replace(config, max_retries=0)
        rows.append(run("faults", faulty, cache, prompts(n, "faults")))

        print(f"first call in a fresh process (litellm import + set-up): {first_call:.2f} s\n")
        header = (
            "run",
            "answers",
            "HTTP calls",
            "cache hits",
            "tokens in",
            "tokens out",
            "seconds",
            "ms/answer",
        )
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for label, answers, calls, hits, tin, tout, seconds, _ in rows:
            per = 1000 * seconds / max(answers, 1)
            cells = (label, answers, calls, hits, tin, tout, f"{seconds:.3f}", f"{per:.1f}")
            print("| " + " | ".join(map(str, cells)) + " |")

        texts = [a.text for a in rows[0][7]]
        t0 = time.perf_counter()
        parsed = [
            parse_candidate(
                t, target_file="pkg/geometry.py", original_source=SOURCE, qualname="norms"
            )
            for t in texts
        ]
        per_parse = 1000 * (time.perf_counter() - t0) / max(len(texts), 1)
        kinds = {type(p).__name__ for p in parsed}
        print(f"\nparse_candidate: {per_parse:.2f} ms per answer ({', '.join(sorted(kinds))})")


if __name__ == "__main__":
    main()
