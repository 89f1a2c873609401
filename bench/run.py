"""`make bench`: run every benchmark script in bench/ and check each ratio
against its goal. A benchmark is any bench/*.py but this one, common.py and
helpers named _*.py. Each seeds its own throwaway database and prints rows
`id | measure | goal | value | yes/no` (see common.py); this collects them into
one table and exits non-zero when a goal is missed or a script fails.

    .venv/bin/python bench/run.py [name ...]     # e.g. `digests`; default: all
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run.py", "common.py"}  # and helpers named _*.py


def parse(line: str) -> list[str] | None:
    cells = [cell.strip() for cell in line.split(" | ")]
    if len(cells) == 5 and cells[0][:1] == "B" and cells[4] in ("yes", "no"):
        return cells
    return None


def main(names: list[str]) -> int:
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name not in NOT_BENCHMARKS and p.name[0] != "_"
    )
    if names:
        scripts = [p for p in scripts if p.stem in names]
    rows: list[list[str]] = []
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=HERE.parent
        )
        for line in process.stdout:
            print(line, end="", flush=True)
            if cells := parse(line.rstrip("\n")):
                rows.append(cells)
        if process.wait() != 0:
            failed.append(f"{script.name} exited with {process.returncode}")
    print("\n| id | measure | goal | value | met |\n| --- | --- | --- | --- | --- |")
    for cells in sorted(rows, key=lambda cells: (len(cells[0]), cells[0])):
        print("| " + " | ".join(cells) + " |")
    missed = [cells[0] for cells in rows if cells[4] != "yes"]
    for problem in failed + [f"{id} missed its goal" for id in missed]:
        print(f"FAIL: {problem}")
    if not rows:
        print("FAIL: no benchmark printed a row")
    return 1 if failed or missed or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
