"""Hostile inputs against the `specnet` command: each case is made in a temporary folder and run in its own
process, timed, with its peak memory (max RSS) measured; a valid spec is the baseline.

    python -m bench.hostile            # prints the table; docs/security.md quotes it

Every case must end with exit code 2 and one line on stderr or stdout, no
traceback: the script says so for each and exits with 1 if any case does not.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

LAUGHS = "specnet: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
TINY = ("specnet: 1\ndata:\n  source: {type: inline, inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], "
        "[0]]}\n  evaluation: training\nnetwork: {input: 2, layers: [{size: 2, activation: sigmoid}, {size: 1, "
        "activation: sigmoid}], cost: quadratic}\ntraining: {epochs: 1, mini_batch_size: 2, optimizer: {type: sgd, eta: 1}}\n")


def _npz_claiming(path: Path, shape) -> str:
    """Write an .npz whose x_train header claims `shape` (float64) but holds 64 bytes; return its sha256."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x_train.npy", header.getvalue() + b"\0" * 64)
        for name, a in (("y_train", np.zeros(2)), ("x_test", np.zeros((2, 2))), ("y_test", np.zeros(2))):
            buf = io.BytesIO()
            np.save(buf, a)
            z.writestr(name + ".npy", buf.getvalue())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gzip_bomb(path: Path) -> str:
    """Write an IDX label file whose header promises 10 labels but whose gzip stream inflates to 2 GiB."""
    import gzip
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(b"\0\0\x08\x01" + (10).to_bytes(4, "big"))
        block = b"\0" * (1 << 24)
        for _ in range(128):
            f.write(block)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_with_claiming_model(folder: Path) -> str:
    """Train TINY into a run folder, then replace its model.npz by one whose w0 claims 37 GiB (the checksum
    in model.json made to match); return the run folder."""
    import json
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    subprocess.run([sys.executable, "-c", "from specnet.commands.cli import main; main()", "run", "tiny.yaml",
                    "--runs-dir", "runs"], cwd=folder, capture_output=True, check=True)
    (run,) = (folder / "runs").iterdir()
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (100_000, 50_000)})
    with zipfile.ZipFile(run / "model.npz") as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["w0.npy"] = header.getvalue() + b"\0" * 64
    (run / "model.npz").unlink()
    with zipfile.ZipFile(run / "model.npz", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    meta = json.loads((run / "model.json").read_text())
    meta["sha256"] = hashlib.sha256((run / "model.npz").read_bytes()).hexdigest()
    (run / "model.json").write_text(json.dumps(meta))
    return str(run)


def cases(folder: Path) -> list:
    """Return (name, specnet arguments) after writing each case's files into `folder`."""
    def spec(name, text):
        (folder / name).write_text(text, encoding="utf-8")
        return str(folder / name)

    sha = _npz_claiming(folder / "bomb.npz", (10 ** 10, 4))
    idx_sha = _gzip_bomb(folder / "labels.idx.gz")
    import gzip
    (folder / "images.idx.gz").write_bytes(gzip.compress(b"\0\0\x08\x03" + b"".join(
        d.to_bytes(4, "big") for d in (10, 2, 2)) + b"\1" * 40))
    images_sha = hashlib.sha256((folder / "images.idx.gz").read_bytes()).hexdigest()
    merge = "&a0 {k: 1}"
    for k in range(1, 9):
        merge = "&a%d {!!merge m: [%s%s]}" % (k, merge, (", *a%d" % (k - 1)) * 9)
    (folder / "long.csv").write_text("a,kind\n" + "1" * (8 << 20) + ",x\n")
    long_sha = hashlib.sha256((folder / "long.csv").read_bytes()).hexdigest()
    return [
        ("baseline: a valid spec", ["validate", spec("ok.yaml", TINY)]),
        ("billion laughs (aliases)", ["validate", spec("laughs.yaml", LAUGHS)]),
        ("nesting 100,000 deep", ["validate", spec("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")]),
        ("a 50 MB document", ["validate", spec("big.yaml", "specnet: 1\n# " + "x" * (50 << 20) + "\n")]),
        ("merge keys (<<)", ["validate", spec("merge.yaml", "specnet: 1\na: &a {x: 1}\nb: {<<: *a}\n")]),
        ("control character", ["validate", spec("ctl.yaml", "specnet: 1\ndescription: \"\x07\"\n")]),
        ("NaN for eta", ["validate", spec("nan.yaml", TINY.replace("eta: 1", "eta: .nan"))]),
        ("extends: /etc/passwd", ["validate", spec("passwd.yaml", "specnet: 1\nextends: /etc/passwd\n")]),
        ("a layer of 10^9 neurons", ["show", spec("huge.yaml", TINY), "--set", "network.layers[0].size=1000000000"]),
        ("an .npz claiming 298 GiB", ["validate", spec("npz.yaml", TINY.replace(
            "{type: inline, inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]]}",
            f"{{type: npz, path: bomb.npz, sha256: {sha}}}").replace("training\n", "test\n"))]),
        ("a CSV line of 8 MB", ["validate", spec("csv.yaml", TINY.replace(
            "{type: inline, inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]]}",
            f"{{type: csv, path: long.csv, sha256: {long_sha}, label: kind}}"))]),
        ("a model.npz claiming 37 GiB", ["evaluate", _run_with_claiming_model(folder)]),
        ("merge keys through !!merge", ["validate", spec("tagmerge.yaml", f"specnet: 1\nbomb: {{!!merge m: [{merge}]}}\n")]),
        ("a base-60 number of 1 MB", ["validate", spec("sexa.yaml", "specnet: 1\nseed: 1" + ":1" * 500_000 + "\n")]),
        ("16,000 layers", ["validate", spec("layers.yaml", "specnet: 1\nnetwork: {input: 1, layers: [" + ", ".join(
            ["{size: 1, activation: sigmoid}"] * 16_000) + "], cost: quadratic}\n")]),
        ("an IDX .gz inflating to 2 GiB", ["validate", spec("idx.yaml", TINY.replace(
            "{type: inline, inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]]}",
            "{type: idx, files: {" + ", ".join(
                f"{part}_images: {{path: images.idx.gz, sha256: {images_sha}}}, "
                f"{part}_labels: {{path: labels.idx.gz, sha256: {idx_sha}}}" for part in ("train", "test"))
            + "}}").replace("input: 2", "input: 4").replace("training\n", "test\n"))]),
    ]


# The child writes its own peak memory at exit: VmHWM (Linux) belongs to the process's memory map, made new
# by exec, so it does not count the parent that forked it (ru_maxrss of a child does).
_LAUNCH = ("import atexit, os, sys\n"
           "def peak():\n"
           "    with open('/proc/self/status') as f, open(os.environ['HOSTILE_PEAK'], 'w') as out:\n"
           "        out.write(next(x.split()[1] for x in f if x.startswith('VmHWM')))\n"
           "atexit.register(peak)\n"
           "from specnet.commands.cli import main\n"
           "main()\n")


def measure(args, cwd) -> dict:
    """Run `specnet ARGS` in a fresh process; return its exit code, wall seconds, peak memory (MB) and the
    lines it printed (the validate summary left out)."""
    peak = Path(cwd) / "peak.txt"
    peak.unlink(missing_ok=True)  # a case that ends without writing it (specnet's leave() skips atexit) fails
    started = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _LAUNCH, *args], cwd=cwd, capture_output=True, text=True,
                       timeout=120, env={**os.environ, "HOSTILE_PEAK": str(peak)})
    seconds = time.perf_counter() - started
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip() and " checked: " not in x]
    return {"code": r.returncode, "seconds": seconds, "rss_mb": int(peak.read_text()) / 1024, "lines": lines}


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="specnet-hostile-"))
    try:
        rows, bad = [], 0
        for name, args in cases(folder):
            m = measure(args, folder)
            ok = (m["code"] == 0) if name.startswith("baseline") else (
                m["code"] == 2 and len(m["lines"]) == 1 and "Traceback" not in "".join(m["lines"]))
            bad += not ok
            if not ok:
                print("\n".join(m["lines"][-5:]), file=sys.stderr)
            message = (m["lines"] or [""])[0].replace(f"{folder}/", "")[:110].replace("|", "/")
            rows.append(f"| {name} | {m['code']} | {m['seconds']:.2f} | {m['rss_mb']:.0f} | {'yes' if ok else 'NO'} | "
                        f"`{message}` |" if message else f"| {name} | {m['code']} | {m['seconds']:.2f} | "
                        f"{m['rss_mb']:.0f} | {'yes' if ok else 'NO'} | |")
        print("| case | exit | seconds | max RSS MB | one line | message |\n|---|---|---|---|---|---|")
        print("\n".join(rows))
        return 1 if bad else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
