"""The README stands alone: every relative link in it points at a file in the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_links_nothing_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]
    for target in local:
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT), f"README links outside the repository: {target}"
        assert path.exists(), f"README links a missing file: {target}"
