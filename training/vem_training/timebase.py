"""The project's time bases, the one Python module that holds them (the twin of src/core/time.ts).

Every value comes from src/core/constants.json; training/tests/test_constants_literals.py fails when one of
them is written as a literal anywhere else in the package.
  audio   sampleRate samples/s; mel frame j of the centred STFT is centred at j·hop/sr (62.5 frames/s)
  latent  frame x holds mel frames 4x … 4x+3: it is 4·hop/sr = 64 ms long and centred at
          (4x + 1.5)·hop/sr = 0.064·x + 0.024 s (`rhythm.latent_times`)
  video   frame f of the decoder's 16 fps sequence starts at f/16 s
"""
from __future__ import annotations

from . import constants

_A = constants.audio()
SAMPLE_RATE: int = _A["sampleRate"]
HOP_SEC = _A["hopLength"] / _A["sampleRate"]                      # seconds between mel frames
MEL_FPS = _A["sampleRate"] / _A["hopLength"]                      # mel frames per second
LATENT_T: int = constants.load()["latent"]["timeDownsample"]      # mel frames per latent frame
LATENT_FRAME_SEC = LATENT_T * HOP_SEC                             # length of one latent frame
LATENT_CENTRE_SEC = (LATENT_T - 1) / 2 * HOP_SEC                   # centre of latent frame 0
VIDEO_FPS: int = constants.load()["video"]["fps"]                 # the decoder's frame rate
ALIGNER_FEAT: int = constants.load()["aligner"]["featureDim"]     # the aligner's per-frame feature width
