"""The code itself: what a reader would trip on and Python only finds at run time, or never. A repeated
key in a dict literal silently drops the first entry (the form fuzzer once lost two cases that way), and
an undefined name fails only on the path that reaches it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_undefined_names_unused_imports_or_repeated_keys():
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F,E9", "--output-format", "concise",
         "--exclude", ".venv,node_modules,var", str(ROOT)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert found.returncode == 0, found.stdout + found.stderr
