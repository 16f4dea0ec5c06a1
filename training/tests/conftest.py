"""Makes `vem_training` importable when pytest runs from the repository root
(`training/.venv/bin/python -m pytest training/tests -q`) and provides shared fixtures."""
import shutil
import sys
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[1]
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))


def _have(*tools):
    return all(shutil.which(t) for t in tools)


requires_midi_tools = pytest.mark.skipif(
    not (_have("mma", "fluidsynth") and Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").exists()),
    reason="needs mma, fluidsynth and fluid-soundfont-gm (training/setup.sh installs them)")
