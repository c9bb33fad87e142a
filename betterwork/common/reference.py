"""Reference data shipped inside each app's data/ folder (copied from the programme's shared data)."""

import json
from pathlib import Path
from typing import Any


def load_json(module_file: str, name: str) -> dict[str, Any]:
    """Read `<folder of module_file>/data/<name>`."""
    return json.loads((Path(module_file).resolve().parent / "data" / name).read_text(encoding="utf-8"))
