"""Which release of Lifeline this process runs: every cache key starts with it, so a deploy never
reads an entry written by an older release (an older shape of a fragment or a figure).

`LIFELINE_RELEASE` names it (a deploy usually sets the commit); without it, a digest of the code,
templates and translations that this process loaded stands in, so a changed checkout gets new keys
without anyone remembering to set it.
"""

import hashlib
import os
from pathlib import Path

# What decides what a cached entry looks like: code, templates and compiled translations.
SOURCES = (".py", ".html", ".txt", ".mo")
SKIPPED = {".venv", "node_modules", "var", "tests", "bench", ".git", "static", "__pycache__"}


def source_digest(base_dir):
    """A short digest of the source files under `base_dir` (their paths and contents)."""
    base = Path(base_dir)
    files = []
    for folder, subfolders, names in os.walk(base):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED and not name.startswith(".")]
        files += [Path(folder, name) for name in names if name.endswith(SOURCES)]
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(files):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
