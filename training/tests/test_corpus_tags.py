"""Tag rules (vem_training.data.tags) on synthetic signals."""
import numpy as np
import pytest

from vem_training import constants
from vem_training.data import tags

SR = 16000


def _sine(freq, amp, sec=3.0):
    t = np.arange(int(sec * SR)) / SR
    return amp * np.sin(2 * np.pi * freq * t)


def _features(x):
    return tags.segment_features(tags.frame_features(x, SR))


def test_loud_and_quiet_sines_get_different_energy():
    loud, quiet = _features(_sine(440, 0.5)), _features(_sine(440, 0.01))
    # a sine of amplitude a has mean power a²/2
    assert loud["loudnessDb"] == pytest.approx(10 * np.log10(0.5 ** 2 / 2), abs=0.3)
    assert quiet["loudnessDb"] == pytest.approx(10 * np.log10(0.01 ** 2 / 2), abs=0.3)
    assert tags.energy_tag(loud["loudnessDb"]) == "energy:high"
    assert tags.energy_tag(quiet["loudnessDb"]) == "energy:low"
    th = (-30.0, -10.0)
    assert tags.energy_tag(-20.0, th) == "energy:medium"


def test_low_and_high_frequency_get_different_timbre():
    low, high = _features(_sine(150, 0.3)), _features(_sine(4000, 0.3))
    assert low["centroidHz"] == pytest.approx(150, rel=0.15)
    assert high["centroidHz"] == pytest.approx(4000, rel=0.05)
    assert tags.timbre_tag(low["centroidHz"]) == "timbre:dark"
    assert tags.timbre_tag(high["centroidHz"]) == "timbre:bright"


def _clicks(rate_hz, sec=6.0):
    x = np.zeros(int(sec * SR))
    rng = np.random.default_rng(0)
    for t in np.arange(0.1, sec - 0.1, 1.0 / rate_hz):
        i = int(t * SR)
        x[i: i + 400] += 0.5 * rng.standard_normal(400) * np.exp(-np.arange(400) / 80)
    return x


def test_onset_rate_and_density():
    sparse, dense = _features(_clicks(1.0)), _features(_clicks(8.0))
    assert sparse["onsetRate"] == pytest.approx(1.0, abs=0.25)
    assert dense["onsetRate"] == pytest.approx(8.0, abs=1.0)
    assert tags.density_tag(sparse["onsetRate"]) == "density:sparse"
    assert tags.density_tag(dense["onsetRate"]) == "density:dense"


def test_steady_tone_has_no_onsets_after_its_start():
    f = tags.frame_features(_sine(330, 0.3, sec=5.0), SR)
    assert len(f["onsets"]) <= 1


def test_tempo_classes_follow_constants():
    cls = constants.load()["tempoClassBpm"]
    assert tags.tempo_tag(cls["slow"][1] - 1) == "tempo:slow"
    assert tags.tempo_tag(cls["moderate"][0]) == "tempo:moderate"
    assert tags.tempo_tag(cls["fast"][0] + 1) == "tempo:fast"
    assert tags.tempo_tag(0) is None


def _chord_seq(roots_and_thirds, sec_each=1.0):
    out = []
    for root, third in roots_and_thirds:
        t = np.arange(int(sec_each * SR)) / SR
        x = np.zeros_like(t)
        for semis in (0, third, 7):
            f = 261.63 * 2 ** ((root + semis) / 12)
            x += np.sin(2 * np.pi * f * t) + 0.3 * np.sin(2 * np.pi * 2 * f * t)
        out.append(0.1 * x)
    return np.concatenate(out)


def test_mode_from_chroma():
    major = _chord_seq([(0, 4), (5, 4), (7, 4), (0, 4)])      # C F G C
    minor = _chord_seq([(9, 3), (2, 3), (4, 4), (9, 3)])      # Am Dm E Am
    assert tags.mode_tag_from_chroma(_features(major)["chroma"]) == "mode:major"
    assert tags.mode_tag_from_chroma(_features(minor)["chroma"]) == "mode:minor"
    tonic, mode, _, _ = tags.estimate_key(_features(minor)["chroma"])
    assert (tonic, mode) == (9, "minor")


def test_instruments_from_general_midi_programs():
    got = tags.instrument_tags({(False, 0), (False, 33), (True, 0), (False, 56), (False, 73), (False, 48),
                                (False, 81), (False, 19), (False, 25), (False, 52)})
    assert got == sorted(["instrument:piano", "instrument:bass", "instrument:drums", "instrument:brass",
                          "instrument:woodwinds", "instrument:strings", "instrument:synth", "instrument:organ",
                          "instrument:guitar", "instrument:choir"])


def test_all_rule_outputs_are_in_the_vocabulary():
    vocab = set(constants.tag_vocabulary())
    f = _features(_sine(440, 0.2))
    out = tags.feature_tags(f, bpm=120)
    out += tags.mood_tags("mode:minor", "tempo:fast", "energy:high")
    out += tags.mood_tags("mode:major", "tempo:slow", "energy:low")
    out += [tags.instrument_tag_for_program(p) for p in range(128) if tags.instrument_tag_for_program(p)]
    assert set(out) <= vocab
    with pytest.raises(ValueError):
        tags.check_tags(["genre:polka"])


def test_describe_audio():
    d = tags.describe_audio(_sine(3000, 0.4), bpm=150)
    assert "tempo:fast" in d["tags"] and "timbre:bright" in d["tags"] and "energy:high" in d["tags"]


def test_section_levels_summary_reads_durations_and_shares_below():
    from vem_training.corpus.section_levels import summarise

    rows = [("energy:low", -24.0, 10.0), ("energy:low", -41.0, 2.0), ("energy:low", -33.0, 8.0),
            ("energy:high", -15.0, 5.0)]
    s = summarise(rows, below=(-30.0, -40.0))
    assert s["energy:low"]["sections"] == 3 and s["energy:high"]["sections"] == 1
    assert s["energy:low"]["durationShareBelow"] == {"-30.0": 0.5, "-40.0": 0.1}
    assert "durationShareBelow" not in s["energy:high"]
    assert abs(s["energy:low"]["hours"] - 20 / 3600) < 1e-3
