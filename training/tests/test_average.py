import json

import pytest
import torch

from vem_training.train import average


def _state(seed: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {"w": torch.randn(3, 4, generator=g), "b": torch.randn(4, generator=g).half(),
            "count": torch.tensor(7)}


def _run(tmp_path, name: str, seed: int, step: int, model=None) -> object:
    run = tmp_path / name
    run.mkdir()
    cfg = {"model": model or {"channels": [8, 16]}, "pack": "p.npz", "chain": [{"initCkpt": "runs/x"}]}
    torch.save({"model": _state(seed), "ema": _state(seed), "config": cfg, "step": step, "elapsed": 60.0},
               run / "ckpt.pt")
    return run


def test_average_state_interpolates_each_float_tensor_and_keeps_its_dtype():
    a, b = _state(0), _state(1)
    assert torch.equal(average.average_state(a, b, 0.0)["w"], a["w"])
    assert torch.equal(average.average_state(a, b, 1.0)["w"], b["w"])
    half = average.average_state(a, b, 0.25)
    assert torch.allclose(half["w"], 0.75 * a["w"] + 0.25 * b["w"])
    assert half["b"].dtype == torch.float16
    assert torch.allclose(half["b"].float(), (0.75 * a["b"].float() + 0.25 * b["b"].float()), atol=1e-3)
    assert torch.equal(half["count"], a["count"])


def test_average_state_refuses_what_cannot_be_averaged():
    a, b = _state(0), _state(1)
    with pytest.raises(ValueError, match="alpha"):
        average.average_state(a, b, 1.5)
    with pytest.raises(ValueError, match="shape"):
        average.average_state(a, {**b, "w": torch.zeros(4, 3)}, 0.5)
    with pytest.raises(ValueError, match="differ in their tensors"):
        average.average_state(a, {k: v for k, v in b.items() if k != "b"}, 0.5)
    with pytest.raises(ValueError, match="non-float"):
        average.average_state(a, {**b, "count": torch.tensor(8)}, 0.5)


def test_average_runs_writes_a_run_folder_with_the_average_in_its_chain(tmp_path):
    a, b = _run(tmp_path, "a", 0, 10000), _run(tmp_path, "b", 1, 9000)
    out = tmp_path / "mix"
    average.main(["--a", str(a), "--b", str(b), "--alpha", "0.5", "--run", str(out), "--no-checks"])
    st = torch.load(out / "ckpt.pt")
    want = 0.5 * _state(0)["w"] + 0.5 * _state(1)["w"]
    assert torch.allclose(st["ema"]["w"], want) and torch.allclose(st["model"]["w"], want)
    assert st["step"] == 9000 and st["elapsed"] == 120.0
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["average"] == {"a": str(a), "stepsA": 10000, "b": str(b), "stepsB": 9000, "alpha": 0.5}
    assert cfg["chain"][-2:] == [{"run": str(b), "steps": 9000}, {"average": cfg["average"]}]


def test_average_runs_refuses_two_different_networks(tmp_path):
    a = _run(tmp_path, "a", 0, 1)
    b = _run(tmp_path, "b", 1, 1, model={"channels": [8, 32]})
    with pytest.raises(ValueError, match="different networks"):
        average.average_runs(a, b, 0.5, tmp_path / "mix")


def test_lineage_follows_init_ckpt_back_to_the_first_run(tmp_path):
    from vem_training.export.denoiser import lineage

    r1, r2 = tmp_path / "r1", tmp_path / "r2"
    r1.mkdir()
    r2.mkdir()
    (r1 / "config.json").write_text(json.dumps({"chain": [{"initOnnx": "x.onnx"}]}))
    (r2 / "config.json").write_text(json.dumps({"chain": [{"initCkpt": str(r1), "step": 5}]}))
    assert lineage(r2) == [{"initOnnx": "x.onnx"}, {"run": str(r1)}, {"initCkpt": str(r1), "step": 5},
                           {"run": str(r2)}]
    assert lineage(tmp_path / "gone") == [{"run": str(tmp_path / "gone")}]
