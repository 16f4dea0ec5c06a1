"""The shared constants of src/core/constants.json are read from it (through `vem_training.timebase`), never
written again as literals in the package: every module is parsed (comments and docstrings never count) and
a number with a shared constant's value, or a number bound to a shared constant's name, fails the test.
The twin for the TypeScript sources is src/core/constants-literals.test.ts."""
import ast
import math
from pathlib import Path

from vem_training import timebase

PACKAGE = Path(timebase.__file__).resolve().parent
NOT_SCANNED = {"timebase.py", "constants.py"}
# (module, value): literals that are some other system's constant, not a copy of ours
ALLOWED = {("evaluate/musicnn_embed.py", 16000): "musicnn's own input rate (its checkpoint was trained at 16 kHz)"}

SHARED_VALUES = {
    timebase.SAMPLE_RATE: "the sample rate (timebase.SAMPLE_RATE)",
    timebase.MEL_FPS: "the mel frame rate (timebase.MEL_FPS)",
    timebase.MEL_FPS / timebase.LATENT_T: "the latent frame rate (1 / timebase.LATENT_FRAME_SEC)",
    timebase.LATENT_FRAME_SEC: "the latent frame length (timebase.LATENT_FRAME_SEC)",
    timebase.LATENT_CENTRE_SEC: "the centre of latent frame 0 (timebase.LATENT_CENTRE_SEC)",
    timebase.HOP_SEC: "the mel hop in seconds (timebase.HOP_SEC)",
}
# parameters whose default, when it is a number, is a copy of a shared constant (the aligner's width is a 32
# that only its name tells apart)
SHARED_DEFAULTS = {"sr": timebase.SAMPLE_RATE, "fps": timebase.VIDEO_FPS, "feat": timebase.ALIGNER_FEAT}
SHARED_NAMES = {"SR", "SAMPLE_RATE", "MEL_FPS", "VIDEO_FPS", "FPS", "LATENT_FRAME_SEC", "LATENT_CENTRE_SEC", "LATENT_T",
                "ALIGNER_FEAT"}


def _number(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _number(node.operand)
        return None if v is None else -v
    return None


def _targets(node):
    """(name, value node) pairs bound by an assignment, tuples unpacked."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for t in targets:
        if isinstance(t, ast.Name):
            yield t.id, node.value
        elif isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple) and len(t.elts) == len(node.value.elts):
            for e, v in zip(t.elts, node.value.elts):
                if isinstance(e, ast.Name):
                    yield e.id, v


def find_shared_literals(name: str, text: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text)):
        v = _number(node) if isinstance(node, ast.Constant) else None
        if v is not None and (name, v) not in ALLOWED:
            for value, what in SHARED_VALUES.items():
                if math.isclose(v, value, rel_tol=1e-12):
                    found.append(f"{name}:{node.lineno}: {v!r} is {what}")
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target, value in _targets(node):
                n = _number(value)
                if target in SHARED_NAMES and n is not None and (name, n) not in ALLOWED:
                    found.append(f"{name}:{node.lineno}: {target} = {n!r}: read it from vem_training.timebase")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.posonlyargs + node.args.args
            pairs = list(zip(args[len(args) - len(node.args.defaults):], node.args.defaults))
            pairs += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
            for a, d in pairs:
                n = _number(d)
                if n is not None and n == SHARED_DEFAULTS.get(a.arg) and (name, n) not in ALLOWED:
                    found.append(f"{name}:{node.lineno}: {a.arg}={n!r}: default it to vem_training.timebase")
    return found


def test_shared_constants_are_written_only_in_constants_json_and_timebase():
    files = sorted(p for p in PACKAGE.rglob("*.py") if p.name not in NOT_SCANNED)
    assert len(files) > 30 and PACKAGE / "data" / "rhythm.py" in files
    found = [f for p in files for f in find_shared_literals(str(p.relative_to(PACKAGE)), p.read_text())]
    assert found == []


def test_the_scan_catches_each_kind_of_copy_and_ignores_prose():
    src = '\n'.join([
        '"""At 16000 Hz a latent frame is 0.064 s (prose)."""',
        '# SR = 16000 in a comment',
        'SR = 16000',
        'a, MEL_FPS = 1, 62.5',
        'ALIGNER_FEAT: int = 32',
        'def f(x, sr: int = 16000, feat: int = 32, n: int = 32, fps=25):',
        '    return x * 0.064 + 15.625',
        'ok = [24000, 0.0640001, 160, "16000"]',
    ])
    found = sorted(" ".join(f.split(" ")[:2]).rstrip(":") for f in find_shared_literals("x.py", src))
    assert found == sorted(["x.py:3: 16000", "x.py:3: SR", "x.py:4: 62.5", "x.py:4: MEL_FPS", "x.py:5: ALIGNER_FEAT",
                            "x.py:6: sr=16000", "x.py:6: feat=32", "x.py:6: 16000", "x.py:7: 0.064", "x.py:7: 15.625"])
