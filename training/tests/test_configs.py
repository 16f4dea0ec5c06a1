"""Every configs/*.json loads into its dataclass and gives back the same dict; code defaults equal each
kind's base file; unknown keys are refused."""
import json

import pytest

from vem_training.config import BASE_FILES, CONFIGS, VocoderConfig, load_config

TEXT = {"_note", "note", "data"}


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.json")), ids=lambda p: p.name)
def test_every_config_file_loads_and_round_trips(path):
    d = json.loads(path.read_text())
    cfg = load_config(path)
    assert cfg.to_dict() == d and list(cfg.to_dict()) == list(d)


@pytest.mark.parametrize("cls", list(BASE_FILES), ids=lambda c: c.__name__)
def test_code_defaults_equal_the_base_file(cls):
    d = json.loads((CONFIGS / BASE_FILES[cls]).read_text())
    assert cls().to_dict() == {k: v for k, v in d.items() if k not in TEXT}
    assert type(load_config(CONFIGS / BASE_FILES[cls])) is cls


def test_unknown_keys_are_refused(tmp_path):
    d = json.loads((CONFIGS / "vocoder.json").read_text())
    with pytest.raises(ValueError, match="melLossWieght"):
        VocoderConfig.from_dict({**d, "melLossWieght": 1.0})
