"""Print the README's library snippet: the ```python blocks in the section whose heading names the library.

CI runs what this prints against the installed wheel, so the README's example and what CI checks
cannot drift apart: there is one copy, in the README.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADING = re.compile(r"^(#{1,6}) ")


def library_snippet(readme: str) -> str:
    """The code of every ```python block under the first heading that mentions "library", up to
    the next heading of the same or a higher level (a ``#`` inside a code block is no heading)."""
    blocks, level, fence, code = [], None, None, []
    for line in readme.splitlines(keepends=True):
        if fence is not None:  # inside a fenced block
            if line.startswith("```"):
                if fence == "python" and level:
                    blocks.append("".join(code))
                fence = None
            else:
                code.append(line)
        elif line.startswith("```"):
            fence, code = line[3:].strip(), []
        elif heading := HEADING.match(line):
            if level and len(heading[1]) <= level:
                break
            if level is None and "library" in line.lower():
                level = len(heading[1])
    if level is None:
        raise ValueError('README.md has no heading that mentions "library"')
    if not blocks:
        raise ValueError("README.md's library section has no ```python block")
    return "\n".join(blocks)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "README.md"
    sys.stdout.write(library_snippet(path.read_text(encoding="utf-8")))
