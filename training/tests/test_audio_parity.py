"""The Python log-mel front end against the TypeScript one (src/core/audio/mel.ts) on the same WAV."""
import json
import shutil
import subprocess

import numpy as np
import pytest

from vem_training import constants
from vem_training.data import audio

ROOT = constants.REPO_ROOT
PARITY_WAV = ROOT / "src/core/audio/testdata/parity.wav"


def test_frame_count_and_floor():
    x = np.zeros(16000)
    m = audio.log_mel(x)
    assert m.shape == (64, 16000 // 256 + 1)
    assert np.allclose(m, np.log(1e-5))


def test_torch_front_end_matches_numpy():
    torch = pytest.importorskip("torch")
    x, _ = audio.load_wav_mono(PARITY_WAV)
    ref = audio.log_mel(x)
    got = audio.TorchLogMel()(torch.tensor(x, dtype=torch.float32)[None])[0].numpy()
    # float32 STFT vs float64: differences concentrate near the log floor; 1e-3 in log units
    assert np.abs(got - ref).max() < 1e-3


@pytest.mark.skipif(shutil.which("npx") is None or not (ROOT / "node_modules").exists(),
                    reason="node deps not installed")
def test_matches_typescript_front_end(tmp_path):
    out = tmp_path / "ts.f32"
    res = subprocess.run(["npx", "tsx", "scripts/mel-dump.ts", str(PARITY_WAV), str(out)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    shape = json.loads(res.stdout.strip().splitlines()[-1])
    ts = np.fromfile(out, dtype="<f4").reshape(shape["nMels"], shape["frames"])
    x, _ = audio.load_wav_mono(PARITY_WAV)
    py = audio.log_mel(x)
    assert ts.shape == py.shape
    assert np.abs(ts - py).max() < 1e-4
