"""A run folder or model file from a stranger is checked before use: every tampering is one line on stderr
naming the file, exit code 2, never a traceback; JSON written by specnet is strict (no NaN)."""
import hashlib
import io
import json
from types import SimpleNamespace
import os
import re
import shutil
import zipfile

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import tiny_spec
from specnet.runs import artefacts
from specnet.errors import SpecError
from specnet.runs.io import load_model
from specnet.training.trainer import Diverged
from specnet.runs.folder import load_run
from specnet.runs.run import run_spec
from specnet.spec.load import spec_from_dict
from test_cli import cli

EXAMPLES = int(os.environ.get("SPECNET_FUZZ_EXAMPLES", "300"))


def strict(text: str):
    """Parse JSON as strict parsers do: a bare NaN or Infinity is an error."""
    def refuse(constant):
        raise AssertionError(f"bare {constant} in JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A run folder of the tiny XOR spec (made once; each test tampers with a copy)."""
    return run_spec(spec_from_dict(tiny_spec()), tmp_path_factory.mktemp("pristine")).folder


@pytest.fixture
def run(pristine, tmp_path):
    return shutil.copytree(pristine, tmp_path / pristine.name)


def arrays(folder) -> dict:
    with np.load(folder / "model.npz") as z:
        return {k: z[k] for k in z.files}


def save_arrays(folder, allow_pickle=False, **named):
    """Replace model.npz and make model.json's checksum match it (the tampering a checksum cannot catch)."""
    (folder / "model.npz").unlink()
    np.savez(folder / "model.npz", allow_pickle=allow_pickle, **named)
    rehash(folder)


def rehash(folder):
    meta = json.loads((folder / "model.json").read_text())
    meta["sha256"] = hashlib.sha256((folder / "model.npz").read_bytes()).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))


def edit_json(path, **changes):
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def one_line(capsys, *args, file: str, message: str):
    """Run the CLI; assert exit code 2 and a single stderr line naming `file` and matching `message`."""
    code, out, err = cli(capsys, *args)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert file in err and re.search(message, err), err
    return err


def cases(rows) -> list:
    """Parameters named after their tampering function."""
    return [pytest.param(*row, id=row[0].__name__.lstrip("_")) for row in rows]


def header_only_npy(shape) -> bytes:
    """The .npy header of a float64 array of `shape`, and 64 bytes of data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue() + b"\0" * 64


# --- model.npz -------------------------------------------------------------------------------------------------

def _missing(f):
    a = arrays(f)
    del a["b1"]
    save_arrays(f, **a)


def _transposed(f):
    a = arrays(f)
    save_arrays(f, **{**a, "w0": a["w0"].T})


def _float32(f):
    save_arrays(f, **{k: v.astype(np.float32) for k, v in arrays(f).items()})


def _objects(f):
    a = arrays(f)
    save_arrays(f, allow_pickle=True, **{**a, "w1": np.array([[{"x": 1}, 2, 3]], dtype=object)})


def _extra(f):
    save_arrays(f, **arrays(f), extra=np.zeros(2))


def _not_zip(f):
    (f / "model.npz").write_bytes(b"hello, this is not a zip archive")
    rehash(f)


def _npy_claiming_37_gib(f):
    (f / "model.npz").write_bytes(header_only_npy((100_000, 50_000)))
    rehash(f)


def _member_claiming_37_gib(f):
    a = arrays(f)
    del a["w0"]
    save_arrays(f, **a)
    with zipfile.ZipFile(f / "model.npz", "a") as z:
        z.writestr("w0.npy", header_only_npy((100_000, 50_000)))
    rehash(f)


def _grown(f):
    with open(f / "model.npz", "ab") as out:
        out.write(b"\0" * 100_000)
    rehash(f)


def _unhashed(f):
    a = arrays(f)
    (f / "model.npz").unlink()
    np.savez(f / "model.npz", **{**a, "w0": a["w0"] + 1})


@pytest.mark.parametrize("tamper, message", cases([
    (_missing, r"model.npz: its arrays are b0, w0, w1; model.json's sizes \[2, 3, 1\] need b0, b1, w0, w1"),
    (_transposed, r"model.npz: array w0 has shape \(2, 3\) float64; model.json's sizes \[2, 3, 1\] need \(3, 2\) float64"),
    (_float32, r"model.npz: array \w+ has shape \(\d, \d\) float32; .* need \(\d, \d\) float64"),
    (_objects, r"model.npz: array w1 holds Python objects\. specnet loads no pickles"),
    (_extra, r"model.npz: its arrays are b0, b1, extra, w0, w1"),
    (_not_zip, r"model.npz: not a .npz archive"),
    (_npy_claiming_37_gib, r"model.npz: not a .npz archive"),
    (_member_claiming_37_gib, r"model.npz: array w0 has shape \(100000, 50000\) float64; .* need \(3, 2\)"),
    (_grown, r"model.npz: it has 10\d,\d\d\d bytes, more than arrays of sizes \[2, 3, 1\] take"),
    (_unhashed, r"model.npz: it does not match the SHA-256 in .*model.json: the model is corrupt"),
]))
def test_a_tampered_model_npz_is_one_line(run, capsys, tamper, message):
    tamper(run)
    one_line(capsys, "evaluate", run, file="model.npz", message=message)


# --- model.json ------------------------------------------------------------------------------------------------

def _set(**changes):
    def tamper(f):
        edit_json(f / "model.json", **changes)
    tamper.__name__ = "_model_" + "_".join(changes)
    return tamper


def _malformed_model(f):
    (f / "model.json").write_text('{"format": "specnet-model", "sizes": [2, 3')


def _no_sha(f):
    meta = json.loads((f / "model.json").read_text())
    del meta["sha256"]
    (f / "model.json").write_text(json.dumps(meta))


def _huge_model_json(f):
    with open(f / "model.json", "ab") as out:
        out.truncate(9 << 20)  # sparse: 9 MiB that take no disk


@pytest.mark.parametrize("tamper, message", cases([
    (_malformed_model, r"model.json: not valid JSON: Expecting"),
    (_no_sha, r"model.json: no key 'sha256'"),
    (_set(sizes="2-3-1"), r"model.json: sizes: must be a list of at least two layer sizes >= 1\. Got '2-3-1'"),
    (_set(sizes=[2, 0, 1]), r"model.json: sizes: must be a list of at least two layer sizes >= 1"),
    (_set(sizes=[2, 3, 1, 1]), r"model.json: activations: 2 activations for 3 layers"),
    (_set(sizes=[2, 10 ** 9, 1]), r"model.json: sizes: sizes \[2, 1000000000, 1\] would take 29.8 GiB, more than 4 GiB"),
    (_set(activations=["sigmoid", "gelu"]), r"model.json: activations: unknown activation 'gelu'. Known: linear"),
    (_set(dtype="float16"), r"model.json: dtype: unknown dtype 'float16'"),
    (_set(arrays="../../model.npz"), r"model.json: arrays: must name a .npz file beside model.json"),
    (_set(version=2), r"model.json: version: a model.json version this specnet cannot read"),
    (_set(classes=[1, 2]), r"model.json: classes: must be a list of strings or null"),
    (_set(sha256="abc"), r"model.json: sha256: must be 64 hexadecimal digits"),
    (_huge_model_json, r"model.json: it has more than 8,388,608 bytes"),
]))
def test_a_tampered_model_json_is_one_line(run, capsys, tamper, message):
    tamper(run)
    one_line(capsys, "evaluate", run, file="model.json", message=message)


def test_a_model_that_is_not_the_specs_is_refused(run, capsys):
    """The spec edited and run.json's digest made to match: the model's activations still say otherwise."""
    spec = (run / "spec.yaml").read_text().replace("activation: sigmoid", "activation: relu", 1)
    (run / "spec.yaml").write_text(spec)
    edit_json(run / "run.json", resolved_spec_sha256=hashlib.sha256(
        json.dumps(yaml.safe_load(spec), sort_keys=True).encode()).hexdigest())
    one_line(capsys, "evaluate", run, file="model.json",
             message=r"model.json: activations: the model has \['sigmoid', 'sigmoid'\], the run's spec.yaml "
                     r"\['relu', 'sigmoid'\]")


# --- run.json, spec.yaml, metrics.jsonl, checks.jsonl: evaluate, diff and plot ------------------------------------

def _edited_spec(f):
    (f / "spec.yaml").write_text((f / "spec.yaml").read_text().replace("activation: sigmoid", "activation: tanh", 1))


def _spec_with_aliases(f):
    (f / "spec.yaml").write_text("a: &x [1, 2]\nb: *x\n")


def _malformed_info(f):
    (f / "run.json").write_text("{")


def _info(**changes):
    def tamper(f):
        edit_json(f / "run.json", **changes)
    tamper.__name__ = "_info_" + "_".join(changes)
    return tamper


def _deep_info(f):
    edit_json(f / "run.json", git=json.loads("[" * 500 + "]" * 500))


def _no_info(f):
    (f / "run.json").unlink()


def _metrics_line(number, text):
    def tamper(f):
        lines = (f / "metrics.jsonl").read_text().splitlines()
        lines[number - 1] = text
        (f / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    tamper.__name__ = f"_metrics_line_{number}_" + re.sub(r"\W+", "_", text)[:30]
    return tamper


def _checks_line(f):
    (f / "checks.jsonl").write_text('{"epoch": 0, "images": -4}\n')


def _many_lines(f):
    (f / "metrics.jsonl").write_text('{"epoch": 0}\n' * 11)


TAMPERED_RUNS = cases([
    (_edited_spec, "spec.yaml", r"spec.yaml: it is not the spec of this run: its SHA-256 is [0-9a-f]{64}, run.json "
                                r"records [0-9a-f]{64}\. The spec was edited after the run"),
    (_spec_with_aliases, "spec.yaml", r"spec.yaml: it is not the spec of this run"),
    (_malformed_info, "run.json", r"run.json: not valid JSON"),
    (_info(status=3), "run.json", r"run.json: status: must be a string\. Got 3"),
    (_info(resolved_spec_sha256=None), "run.json", r"run.json: resolved_spec_sha256: must be 64 hexadecimal digits"),
    (_deep_info, "run.json", r"run.json: its values nest more than 16 levels deep"),
    (_no_info, "run.json", r"not a run folder: it has no run.json"),
    (_metrics_line(3, '{"epoch": 2, "eta": 2.0, "training_co'), "metrics.jsonl", r"metrics.jsonl:3: not valid JSON"),
    (_metrics_line(2, '{"epoch": 1, "evaluation_cost": "high"}'), "metrics.jsonl",
     r"metrics.jsonl:2: evaluation_cost: must be a number or null\. Got 'high'"),
    (_metrics_line(1, '{"evaluation_cost": 0.5}'), "metrics.jsonl", r"metrics.jsonl:1: no key 'epoch'"),
    (_metrics_line(1, '[1, 2]'), "metrics.jsonl", r"metrics.jsonl:1: must be a JSON object\. Got 'list'"),
    (_metrics_line(1, '{"epoch": 0, "nonfinite": {"eta": "huge"}}'), "metrics.jsonl",
     r"metrics.jsonl:1: nonfinite: must map keys to one of"),
    (_many_lines, "metrics.jsonl", r"metrics.jsonl: it has more than 10 lines"),
    (_checks_line, "checks.jsonl", r"checks.jsonl:1: images: must be a whole number >= 0\. Got -4"),
])


@pytest.mark.parametrize("command", ["evaluate", "diff", "plot"])
@pytest.mark.parametrize("tamper, file, message", TAMPERED_RUNS)
def test_a_tampered_run_folder_is_one_line(run, pristine, capsys, monkeypatch, tmp_path, command, tamper, file,
                                           message):
    monkeypatch.setattr(artefacts, "JSONL_LINES", 10)
    tamper(run)
    args = {"evaluate": [run], "diff": [pristine, run], "plot": [run, "--out", tmp_path / "p.png"]}[command]
    one_line(capsys, command, *args, file=file, message=message)


def test_reproduce_resume_checks_the_runs_it_would_reuse(tmp_path, capsys):
    from conftest import ROOT
    from specnet.commands.reproduce import reproduce

    spec = ROOT / "specs" / "ch3_neuron_quadratic.yaml"
    (first,) = reproduce([spec], 1, 1, tmp_path / "runs", echo=lambda s: None)[0]["folders"]
    _metrics_line(2, '{"epoch": "one"}')(Path(first))
    one_line(capsys, "reproduce", spec, "--runs-dir", tmp_path / "runs", "--out", tmp_path / "R.md", "--resume",
             file="metrics.jsonl", message=r"metrics.jsonl:2: epoch: must be a whole number >= 0 or null")
    assert not (tmp_path / "R.md").exists()


# --- network2 JSON ---------------------------------------------------------------------------------------------

def network2_file(tmp_path, **changes):
    saved = {"sizes": [2, 3, 1], "weights": [np.ones((3, 2)).tolist(), np.ones((1, 3)).tolist()],
             "biases": [[[0.0]] * 3, [[0.5]]], "cost": "CrossEntropyCost", **changes}
    (tmp_path / "net.json").write_text(json.dumps(saved))
    return tmp_path / "net.json"


@pytest.mark.parametrize("changes, message", [
    ({"weights": [np.ones((2, 3)).tolist(), np.ones((3, 1)).tolist()]},
     r"net.json: weights\[0\] has shape \(2, 3\), sizes need \(3, 2\) \(transposed\? network2 saves weights\[i\] as "
     r"sizes\[i\+1\] x sizes\[i\]\)"),
    ({"weights": [[[1, 2], [3]], [[1, 2, 3]]]}, r"net.json: weights\[0\] must be a matrix of numbers"),
    ({"weights": [[["a", "b"]] * 3, [[1, 2, 3]]]}, r"net.json: weights\[0\] must be a matrix of numbers"),
    ({"biases": [[0.0] * 3]}, r"net.json: biases: must be a list of 2 arrays, one per layer of sizes \[2, 3, 1\]\. Got 1"),
    ({"biases": [[0.0] * 4, [0.5]]}, r"net.json: biases\[0\] has shape \(4,\), sizes need \(3, 1\)"),
    ({"sizes": [2, "3", 1]}, r"net.json: sizes: must be a list of at least two layer sizes"),
    ({"cost": "HingeCost"}, r"net.json: cost: unknown cost 'HingeCost'. Known: CrossEntropyCost, QuadraticCost"),
], ids=["transposed", "ragged", "strings", "count", "bias-shape", "sizes", "cost"])
def test_a_bad_network2_file_is_one_line(tmp_path, capsys, changes, message):
    one_line(capsys, "evaluate", network2_file(tmp_path, **changes), file="net.json", message=message)


def test_a_good_network2_file_loads(tmp_path):
    model = load_model(network2_file(tmp_path, biases=[[0.0] * 3, [0.5]]))
    assert [w.shape for w in model["weights"]] == [(3, 2), (1, 3)] and model["biases"][0].shape == (3, 1)


# --- strict JSON out, NaN read back ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def diverged(tmp_path_factory):
    """A run whose costs overflow: a linear network with a huge learning rate."""
    spec = tiny_spec()
    spec["network"]["layers"] = [{"size": 3, "activation": "linear"}, {"size": 1, "activation": "linear"}]
    spec["network"]["cost"] = "quadratic"
    spec["training"]["optimizer"]["eta"] = 1e6
    spec["training"]["max_weight"] = None  # so that the costs overflow first: the NaN this fixture is for
    spec = spec_from_dict(spec)
    with pytest.raises(Diverged) as stopped:  # the run stops there (issue 14), its folder kept as it is
        run_spec(spec, tmp_path_factory.mktemp("diverged"))
    return SimpleNamespace(folder=stopped.value.folder, spec=spec)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow: the point of the run
def test_a_diverged_run_writes_strict_json_and_reads_back_nan(diverged):
    rows = [strict(line) for line in (diverged.folder / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["evaluation_cost"] is None and rows[-1]["nonfinite"]["evaluation_cost"] in ("NaN", "Infinity")
    assert rows[-1]["stop"].startswith("diverged: ") and strict((diverged.folder / "run.json").read_text())["status"] == "diverged"
    history = load_run(diverged.folder).history
    assert not np.isfinite(history[-1]["evaluation_cost"]) and "nonfinite" not in history[-1]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_every_json_output_is_strict(diverged, capsys, tmp_path):
    code, out, err = cli(capsys, "diff", diverged.folder, diverged.folder, "--json")
    assert code == 0, err
    assert '"nonfinite"' in json.dumps(strict(out))  # a cost that is NaN or infinite, and why


def test_a_diverged_run_says_so_in_one_line_with_exit_code_3(diverged, capsys, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump(diverged.spec.resolved))
    code, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs")
    (folder,) = (tmp_path / "runs").iterdir()
    assert code == 3 and "Warning" not in err and len(err.splitlines()) == 1
    assert err.startswith("Diverged at epoch 1: the training cost is nan. eta = 1e+06 is likely too large") \
        and err.rstrip().endswith("keeps its last checkpoint.")
    assert strict((folder / "run.json").read_text())["diverged"]["epoch"] == 1 and (folder / "checkpoint-1-0.npz").exists()


def test_old_runs_with_bare_nan_still_read(run):
    lines = (run / "metrics.jsonl").read_text().splitlines()
    lines[0] = lines[0].replace('"evaluation_cost": 0.', '"evaluation_cost": NaN, "x": 0.')
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    assert np.isnan(load_run(run).history[0]["evaluation_cost"])


def test_a_baseline_with_a_class_it_never_saw_writes_null_and_reads_inf():
    from specnet.components.baselines import AverageDarkness
    model = AverageDarkness.loaded({"means": [1.0, None]})
    assert model.means[1] == np.inf and model.params() == {"means": [1.0, None]}
    assert AverageDarkness.loaded(model.params()).means[1] == np.inf


# --- fuzz: the model readers end in a model or a SpecError -------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 10 ** 6) | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
KEYS = ["format", "version", "sizes", "activations", "cost", "dtype", "scale", "classes", "arrays", "sha256",
        "weights", "biases", "baseline", "means"]


def _loads_or_refuses(path):
    try:
        model = load_model(path)
    except SpecError:
        return
    assert "weights" in model or model.get("format") == "specnet-baseline"


def damaged(raw: bytes, data) -> bytearray:
    """`raw` with one to four bytes flipped, runs cut or bytes inserted, as hypothesis's `data` draws them."""
    npz = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        kind, at = data.draw(st.sampled_from(["flip", "cut", "insert"])), data.draw(st.integers(0, len(npz) - 1))
        if kind == "flip":
            npz[at] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del npz[at:at + data.draw(st.integers(1, 64))]
        else:
            npz[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    return npz


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_model_npz(pristine, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    npz = damaged((pristine / "model.npz").read_bytes(), data)
    (folder / "model.npz").write_bytes(bytes(npz))
    (folder / "model.json").write_text((pristine / "model.json").read_text())
    rehash(folder)
    _loads_or_refuses(folder / "model.json")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=3), raw=st.none() | st.binary(max_size=64))
def test_fuzz_model_json(pristine, tmp_path_factory, changes, raw):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "model.npz").write_bytes((pristine / "model.npz").read_bytes())
    meta = json.loads((pristine / "model.json").read_text())
    if "weights" in changes:  # sometimes a network2 file
        meta = {"sizes": [2, 3, 1], "weights": [], "biases": [], "cost": "QuadraticCost"}
    (folder / "model.json").write_bytes(raw if raw is not None else json.dumps({**meta, **changes}).encode())
    _loads_or_refuses(folder / "model.json")


# --- the decoded-data cache ------------------------------------------------------------------------------------

def test_a_damaged_or_replaced_cache_entry_is_decoded_again(tmp_path, monkeypatch):
    from specnet.datasets.idx import cache_dir, read_idx
    from test_data import write_idx

    monkeypatch.setenv("SPECNET_CACHE_DIR", str(tmp_path / "cache"))
    labels = np.arange(10, dtype=np.uint8)
    sha = write_idx(tmp_path / "labels.idx", labels)
    cached, sidecar = cache_dir() / f"{sha}.npy", cache_dir() / f"{sha}.npy.sha256"

    def intact():
        return np.array_equal(read_idx(tmp_path / "labels.idx", sha, ("data",)), labels) and \
            sidecar.read_text() == hashlib.sha256(cached.read_bytes()).hexdigest()

    assert intact()
    np.save(cached, (labels + 1) % 10)  # other labels, a valid .npy: accuracy would be silently wrong
    assert intact()
    cached.write_bytes(cached.read_bytes()[:-3])  # truncated
    assert intact()
    np.save(cached, labels[:5])  # and a sidecar that matches it: the shape is not the IDX header's
    sidecar.write_text(hashlib.sha256(cached.read_bytes()).hexdigest())
    assert intact()
    sidecar.unlink()  # an entry from before sidecars
    assert intact()
    assert sorted(p.name for p in cache_dir().iterdir()) == [cached.name, sidecar.name]  # no temporary files left


# --- plot --out ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [("x.txt", r"--out: cannot draw a \.txt: the picture is a PNG, SVG or PDF "
                                                     r"file\. Got '.*x.txt'\. Give a name ending in \.png, \.svg, \.pdf"),
                                           ("x", r"--out: cannot draw a file without a suffix")])
def test_plot_to_another_kind_of_file_is_one_line(run, capsys, tmp_path, name, message):
    one_line(capsys, "plot", run, "--out", tmp_path / name, file="--out", message=message)


def test_plot_into_a_folder_that_cannot_be_made_is_one_line(run, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "file").write_text("")
    one_line(capsys, "plot", run, "--out", tmp_path / "file" / "sub" / "p.png", file="--out",
             message=r"--out: cannot write the picture: Not a directory")


def test_a_spec_can_expect_divergence(diverged, capsys, tmp_path):
    """expect: [{metric: training_cost, diverges: true}]: diverging is then the expected outcome (exit 0), and
    completing instead is an unmet expectation (exit 1)."""
    resolved = {**diverged.spec.resolved, "expect": [{"metric": "training_cost", "diverges": True}]}
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump(resolved))
    code, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs")
    assert code == 0 and out.splitlines()[-1] == "Diverged at epoch 1: the training cost is nan, as the spec expects (diverges: true)."
    calm = tmp_path / "calm.yaml"
    resolved["training"] = {**resolved["training"], "optimizer": {"type": "sgd", "eta": 0.01, "mu": 0.0, "nesterov": False}}
    calm.write_text(yaml.safe_dump(resolved))
    code, out, err = cli(capsys, "run", calm, "--runs-dir", tmp_path / "runs")
    assert code == 1 and "expect: the run should diverge (diverges: true), and it did not" in err


def test_weights_growing_past_max_weight_are_divergence(tmp_path, capsys):
    """The issue's example: ReLU with eta = 1e6 keeps its costs finite while its weights reach 1e12; the
    default max_weight (10,000) calls that divergence."""
    spec = tiny_spec()
    spec["network"]["layers"] = [{"size": 3, "activation": "relu"}, {"size": 1, "activation": "sigmoid"}]
    spec["training"]["optimizer"]["eta"] = 1e6
    path = tmp_path / "relu.yaml"
    path.write_text(yaml.safe_dump(spec))
    code, out, err = cli(capsys, "run", path, "--runs-dir", tmp_path / "runs")
    assert code == 3 and re.search(r"^Diverged at epoch \d+: a (weight|bias) of layer \d grew to \S+, past max_weight 10000\.", err), err


def test_max_cost_needs_a_monitored_cost(tmp_path):
    spec = tiny_spec()
    spec["training"].update(max_cost=10, monitor=["evaluation_accuracy"])
    with pytest.raises(SpecError, match="max_cost bounds a monitored cost, and no cost is monitored"):
        spec_from_dict(spec)


def test_json_says_where_and_why_a_run_stopped(diverged, capsys, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump(diverged.spec.resolved))
    code, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs", "--json")
    (folder,) = (tmp_path / "runs").iterdir()
    assert code == 3 and strict(out) == {"folder": str(folder), "status": "diverged",
                                         "diverged": {"epoch": 1, "why": "the training cost is nan"}}
