"""Benchmark: rendering a 5,000-character comment (the longest a fan may post) made of
the pathological inputs known to stall Markdown parsers, through the whole renderer
(markdown-it-py and nh3, `posts.markup.render_markdown`), for comments and posts.
A script, not a test:

    .venv/bin/python bench/markup.py [--repeat 15]

For each input it prints the best of `--repeat` runs (CPU time) at 5,000 characters and the
ratio between 5,000 and 2,500 characters (2 means linear time, 4 quadratic), then the
worst case against an ordinary 5,000-character comment measured in the same run.
The aim: every comment under 50 ms on the 2-core development machine.
"""

import argparse
import os
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanhub.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)

import django  # noqa: E402

django.setup()

from posts.markup import COMMENT, POST, render_markdown  # noqa: E402

LIMIT = 5_000  # characters in a comment (posts.models.Comment.body)
BUDGET_MS = 50.0

# Repeated until the comment is full. Most come from published reports of quadratic
# or worse behaviour in Markdown parsers (Python-Markdown, markdown-it, cmark, md4c,
# mistune); the rest stress each inline and block rule.
PATTERNS = [
    "[", "![", "[a", "[![", "[](", "[x](", "![](", "](", "]([\n", "[]( \"", "[a]", "[a]: x\n",
    "<", "<a ", "a <![CDATA[", "a <? ", "a <!A", "<!--", "<http://", "<iframe ", "</b ",
    "*", "_", "*a", "_a", "a*", "**_* ", "*a **b ", "~~a", "`", "\\``", "`a``", "\\",
    "&#", "&amp;", "> ", "> - ", "- ", "  - a\n", "1. ", "a\n", "| a ", "# ", "---\n",
    "    a\n", "```\n", "www.x.example ",
    # Raw HTML blocks (a line opening with an allowed tag): what our renderer scans.
    "<p><!--", "<p>a <?", "<p>a <![CDATA[", "<p><a b=\"", "<p><a b ", "<table><tr>", "<p></x",
]  # fmt: skip

PROSE = (
    "Loved the **second** verse, the *bass* under it is perfect. Reminds me of "
    "[the live take](https://example.com/live) at the Roundhouse.\n\n"
    "- more of the piano\n- less reverb on the vocal?\n\n> best moment: 2:10\n\n"
) * 40


def fill(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


def best_ms(text: str, profile, repeat: int) -> float:
    # CPU time of this process: what a render costs a worker, whatever else the shared
    # machine is doing at the time.
    runs = timeit.repeat(
        lambda: render_markdown(text, profile), number=1, repeat=repeat, timer=time.process_time
    )
    return min(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat

    rows = []
    for pattern in PATTERNS:
        for name, profile in (("comment", COMMENT), ("post", POST)):
            full = best_ms(fill(pattern, LIMIT), profile, repeat)
            half = best_ms(fill(pattern, LIMIT // 2), profile, repeat)
            rows.append((full, full / max(half, 1e-6), name, pattern))
    prose = best_ms(fill(PROSE, LIMIT), COMMENT, repeat)

    print(f"{'input (repeated to 5,000 chars)':34} {'profile':8} {'ms':>7} {'5k/2.5k':>8}")
    for full, scaling, name, pattern in sorted(rows, reverse=True):
        print(f"{pattern!r:34} {name:8} {full:7.1f} {scaling:8.2f}")
    worst = max(rows)
    comments = [r for r in rows if r[2] == "comment"]
    print()
    print(f"ordinary 5,000-character comment:  {prose:.1f} ms")
    print(f"worst comment ({worst_of(comments)}):  {max(comments)[0]:.1f} ms")
    print(f"worst of all ({worst[2]}, {worst[3]!r}):  {worst[0]:.1f} ms")
    print(f"worst / ordinary comment:  {max(comments)[0] / prose:.1f}")
    print(f"largest 5k/2.5k ratio:  {max(r[1] for r in rows):.2f}  (2 = linear, 4 = quadratic)")
    print(f"worst comment / {BUDGET_MS:.0f} ms budget:  {max(comments)[0] / BUDGET_MS:.2f}")
    print(f"load average during the run:  {os.getloadavg()[1]:.1f} (5 min)")


def worst_of(rows) -> str:
    return repr(max(rows)[3])


if __name__ == "__main__":
    main()
