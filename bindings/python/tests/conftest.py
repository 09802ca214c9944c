"""Shared fixtures: where the reference cases live, how to load them."""
import json
import os
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def reference_dir() -> Path:
    """env SINABS_REFERENCE_DIR, else the repository's tests/reference/cases."""
    env = os.environ.get("SINABS_REFERENCE_DIR")
    return Path(env) if env else (REPO_ROOT / "tests" / "reference" / "cases")


def reference_cases(kind: str):
    """[(name, case dict)] of every case of `kind`, sorted by name."""
    folder = reference_dir()
    cases = []
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text())
        if case.get("kind") == kind:
            cases.append((path.stem, case))
    return cases


def array(entry) -> np.ndarray:
    """A reference tensor {"shape", "data"} as float32."""
    return np.asarray(entry["data"], dtype=np.float32).reshape(entry["shape"])


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
