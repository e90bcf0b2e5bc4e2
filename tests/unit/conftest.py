# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Make the collection importable as ``ansible_collections.oceanbase.ops`` without installing it,
and make ``tests/`` importable (``import simulator.ocp``).

When the repository already sits at ``.../ansible_collections/oceanbase/ops`` (ansible-test, an
installed copy) that tree is used as is; otherwise ``build/unit-imports/`` (ignored by git) gets
an ``ansible_collections/oceanbase/ops`` symlink to the repository root.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
COLLECTION_ROOT = TESTS_DIR.parent


def _collections_dir():
    root = COLLECTION_ROOT
    if root.name == "ops" and root.parent.name == "oceanbase" and root.parent.parent.name == "ansible_collections":
        return root.parents[2]
    base = root / "build" / "unit-imports"
    link = base / "ansible_collections" / "oceanbase" / "ops"
    if not (link.is_symlink() and link.resolve() == root):
        link.parent.mkdir(parents=True, exist_ok=True)
        # Create under a private name and rename over the final one: atomic, so parallel runs
        # (pytest-xdist workers, two people running the suite) never see a half-made link.
        temporary = link.parent / (".ops-%d" % os.getpid())
        if temporary.is_symlink():
            temporary.unlink()
        temporary.symlink_to(root, target_is_directory=True)
        os.replace(str(temporary), str(link))
    return base


for _path in (str(TESTS_DIR), str(_collections_dir())):
    if _path in sys.path:
        sys.path.remove(_path)
    sys.path.insert(0, _path)
