"""The wheel works outside the checkout: build it, install it into a fresh virtual environment, and run the
installed `specnet` from a folder that is not the repository, with the repository on no import path.

A second wheel, with specnet/schemas/spec.schema.json cut out, checks that a broken installation is one clear
line and exit code 2, not a traceback. Deselect these tests with -m 'not wheel'.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.wheel

MISSING = "specnet/schemas/spec.schema.json"  # what the broken wheel lacks
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
# The repository's untracked by-products, which a build from a copy needs no more than the wheel does.
_BY_PRODUCTS = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                      ".benchmarks", "*.pyc", "mutants")


def NOT_COPIED(folder, names):
    """The by-products, and the run folders of the checkout's top level (not the package's specnet/runs/)."""
    return set(_BY_PRODUCTS(folder, names)) | ({"runs"} if Path(folder) == ROOT else set())


def _tools_missing() -> str:
    missing = [m for m in ("venv", "ensurepip", "pip") if importlib.util.find_spec(m) is None]
    return f"needs the modules {', '.join(missing)} to build a wheel and make a virtual environment" if missing else ""


def _run(args, cwd, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _check(result: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _inside(path, folder) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def _version() -> str:
    return re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)[1]


class Venv:
    """A fresh virtual environment with a wheel installed, and a way to run its programs from `cwd`."""

    def __init__(self, root: Path, wheel: Path, cwd: Path):
        _check(_run([sys.executable, "-m", "venv", root], cwd=cwd, env=_clean_env()), "python -m venv")
        self.root, self.cwd, self.bin = root, cwd, root / BIN
        self.python = self.bin / f"python{EXE}"
        _check(self.pip_install(wheel), f"pip install {wheel.name}")
        self.site = Path(_check(self.run(self.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"),
                                "sysconfig").stdout.strip())

    @property
    def env(self) -> dict:
        env = _clean_env()
        env["PATH"] = str(self.bin) + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(self.root)
        env["SPECNET_CACHE_DIR"] = str(self.root / "specnet-cache")  # decoded MNIST: nothing shared with the tests
        return env

    def pip_install(self, wheel: Path):
        return self.run(self.python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel)

    def run(self, *args) -> subprocess.CompletedProcess:
        return _run(args, cwd=self.cwd, env=self.env)

    def specnet(self, *args) -> subprocess.CompletedProcess:
        return self.run(self.bin / f"specnet{EXE}", *args)


def _clean_env() -> dict:
    """The environment without anything that could put the checkout (or another installation) on sys.path."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A copy of the repository's working tree, so that the build leaves no build/ or egg-info in the checkout."""
    if _tools_missing():
        pytest.skip(_tools_missing())
    base = tmp_path_factory.getbasetemp()
    assert not _inside(base, ROOT), f"pytest's temporary folder {base} is inside the checkout: use another --basetemp"
    copy = tmp_path_factory.mktemp("wheel-source") / "specnet"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    return copy


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _check(_run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--disable-pip-version-check",
                 "--no-input", "-w", out], cwd=out, env=_clean_env()), "pip wheel")
    wheels = list(out.glob("specnet-*.whl"))
    assert len(wheels) == 1, f"expected one specnet wheel in {out}, found {sorted(p.name for p in out.iterdir())}"
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Venv:
    return Venv(tmp_path_factory.mktemp("venv") / "env", wheel, tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="module")
def trained(venv):
    """One epoch of the shipped ch1_sgd, run by name from the temporary folder."""
    before = set(venv.cwd.glob("runs/*"))
    result = venv.specnet("run", "ch1_sgd", "--set", "training.epochs=1", "--set", "expect=[]")
    return result, sorted(set(venv.cwd.glob("runs/*")) - before)


@pytest.fixture(scope="module")
def broken(wheel, tmp_path_factory) -> Venv:
    """A fresh environment with a copy of the wheel that lacks the schema (its RECORD line removed too)."""
    copy = tmp_path_factory.mktemp("broken-wheel") / wheel.name
    with zipfile.ZipFile(wheel) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        assert MISSING in names, f"the wheel has no {MISSING}"
        for info in zin.infolist():
            if info.filename == MISSING:
                continue
            data = zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                lines = data.decode("utf-8").splitlines(keepends=True)
                kept = [line for line in lines if not line.startswith(MISSING + ",")]
                assert len(kept) == len(lines) - 1, f"RECORD has no line for {MISSING}"
                data = "".join(kept).encode("utf-8")
            zout.writestr(info, data)
    with zipfile.ZipFile(copy) as z:
        assert MISSING not in z.namelist()
    return Venv(tmp_path_factory.mktemp("venv-broken") / "env", copy, tmp_path_factory.mktemp("cwd-broken"))


def test_installed_package_is_the_wheel_not_the_checkout(venv):
    assert not _inside(venv.cwd, ROOT)
    probe = ("import json, sys, specnet, specnet.resources as r; "
             "print(json.dumps({'path': sys.path, 'specnet': specnet.__file__, 'specs': str(r.specs_dir()), "
             "'schema': str(r.schema_path()), 'mnist': str(r.mnist_dir())}))")
    found = json.loads(_check(venv.run(venv.python, "-c", probe), "python -c probe").stdout)
    on_path = [p for p in found["path"] if p and _inside(p, ROOT)]
    assert not on_path, f"the checkout is on the venv's sys.path: {on_path}"
    for key in ("specnet", "specs", "schema", "mnist"):
        assert _inside(found[key], venv.site), f"{key} resolves to {found[key]}, not inside {venv.site}"
        assert not _inside(found[key], ROOT), f"{key} resolves into the checkout: {found[key]}"


def test_version(venv):
    result = _check(venv.specnet("--version"), "specnet --version")
    assert result.stdout.strip() == f"specnet {_version()}"


def test_validate_every_shipped_spec(venv, source):
    listed = json.loads(_check(venv.specnet("specs", "--json"), "specnet specs --json").stdout)
    names = [row["name"] for row in listed]
    in_source = sorted(p.relative_to(source / "specs").with_suffix("").as_posix()
                       for p in (source / "specs").rglob("*") if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    assert sorted(names) == in_source, "the wheel does not ship exactly the specs of specs/"
    by_name = json.loads(_check(venv.specnet("validate", *names, "--format", "json"), "validate NAME...").stdout)
    assert [r["valid"] for r in by_name] == [True] * len(names)

    probe = "from specnet.resources import specs_dir; print(specs_dir())"
    folder = _check(venv.run(venv.python, "-c", probe), "python -c specs_dir()").stdout.strip()
    assert _inside(folder, venv.site) and not _inside(folder, ROOT), folder
    by_folder = json.loads(_check(venv.specnet("validate", folder, "--format", "json"), "validate FOLDER").stdout)
    assert len(by_folder) == len(names) and all(r["valid"] for r in by_folder)
    assert all(_inside(r["file"], folder) for r in by_folder)


def test_run_a_shipped_spec_by_name(venv, trained):
    result, new = trained
    _check(result, "specnet run ch1_sgd")
    assert len(new) == 1 and new[0].is_dir(), f"expected one new run folder in {venv.cwd / 'runs'}, got {new}"
    assert (new[0] / "model.npz").is_file()
    record = json.loads((new[0] / "run.json").read_text(encoding="utf-8"))
    assert _inside(record["spec_file"], venv.site), record["spec_file"]
    assert record["data"] and all(_inside(f, venv.site) for f in record["data"]), record["data"]
    assert re.search(r"Epoch 0: .*accuracy", result.stdout)


def test_evaluate_the_run(venv, trained):
    _, new = trained
    assert new, "specnet run made no run folder"
    result = _check(venv.specnet("evaluate", new[0]), "specnet evaluate")
    found = re.search(r"accuracy (\d+) / 10000 \((\d+\.\d\d)%\)", result.stdout)
    assert found, result.stdout
    assert int(found[1]) > 5000  # one epoch of [784, 30, 10] gets about 91%: far from chance


def test_schema_is_the_repositorys(venv, source):
    result = _check(venv.specnet("schema"), "specnet schema")
    assert json.loads(result.stdout) == json.loads((source / "schemas" / "spec.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [["schema"], ["run", "ch1_sgd", "--set", "training.epochs=1"]], ids=["schema", "run"])
def test_missing_schema_is_one_line(broken, args):
    result = broken.specnet(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "spec.schema.json" in lines[0], result.stderr


def test_missing_schema_in_validate(broken):
    """validate reports a problem per file on stdout (its format: text, json, github) and a count on stderr."""
    result = broken.specnet("validate", "ch1_sgd")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    mentions = [line for line in (result.stdout + result.stderr).splitlines() if "spec.schema.json" in line]
    assert len(mentions) == 1, result.stdout + result.stderr
