"""Print the README's quick-start commands, one a line, so that CI runs exactly what it says.

The quick start is the "## Quick start" section; its commands are the ```sh blocks in it (the
install-and-run command, then the test command). Exits non-zero when there are not two.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def quick_start_commands(readme: str) -> list[str]:
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.S | re.M)
    if section is None:
        raise SystemExit("README.md has no '## Quick start' section")
    blocks = re.findall(r"^```sh\n(.*?)^```", section.group(1), re.S | re.M)
    return [" ".join(block.split()) for block in blocks]


if __name__ == "__main__":
    commands = quick_start_commands(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if len(commands) != 2:
        raise SystemExit(f"expected 2 commands in the README's quick start, found {len(commands)}")
    print("\n".join(commands))
