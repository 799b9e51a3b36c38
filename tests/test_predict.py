"""`specnet predict`: real MNIST test images written as PNG files, rows in .npz and CSV files, a CSV table's
classes, and one line for every input it cannot read."""
import json
import sys
import warnings

import numpy as np
import pytest

from specnet.datasets.sources import source_of
from specnet.runs import predict
from specnet.runs.evaluate import evaluate_path
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec, spec_from_dict

from conftest import ROOT
from test_cli import cli

Image = pytest.importorskip("PIL.Image")
FIRST = 8  # the test images used: the first eight of MNIST's test set


@pytest.fixture(scope="module")
def mnist(tmp_path_factory):
    """A sigmoid [784, 30, 10] network after one epoch on 1,000 images; its outputs on the test images; the
    first test images as bytes (28 x 28)."""
    spec = spec_from_dict({
        "specnet": 1, "name": "digits", "seed": 0,
        "data": {"source": "mnist", "training": {"split": "training", "take": 1000}, "evaluation": "test"},
        "network": {"input": 784, "layers": [{"size": 30, "activation": "sigmoid"}, {"size": 10, "activation": "sigmoid"}],
                    "cost": "cross_entropy"},
        "training": {"epochs": 1, "mini_batch_size": 10, "optimizer": {"type": "sgd", "eta": 0.5}, "monitor": []}})
    folder = run_spec(spec, tmp_path_factory.mktemp("runs")).folder
    images = source_of(spec.data.source).load(spec.base, {"test"})["test"][0][:FIRST]  # (8, 784) uint8
    return folder, evaluate_path(folder)["outputs"][:FIRST], images


def predictions(capsys, *args) -> list:
    code, out, err = cli(capsys, "predict", *args, "--json")
    assert code == 0, err
    return json.loads(out)["predictions"]


def one_line(capsys, *args) -> str:
    code, out, err = cli(capsys, "predict", *args)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def png(path, pixels, mode="L"):
    Image.fromarray(pixels, mode).save(path)
    return path


def test_a_png_of_a_test_image_gets_the_class_evaluate_gives(mnist, tmp_path, capsys):
    folder, outputs, images = mnist
    files = [png(tmp_path / f"digit{i}.png", images[i].reshape(28, 28)) for i in range(FIRST)]
    got = predictions(capsys, folder, *files)
    assert [p["class"] for p in got] == outputs.argmax(axis=1).tolist()
    np.testing.assert_allclose([p["outputs"] for p in got], outputs, rtol=0, atol=1e-6)
    code, out, _ = cli(capsys, "predict", folder, files[0])
    assert code == 0 and out.startswith(f"{files[0]}: {outputs[0].argmax()}  (0.")


def test_a_dark_digit_on_light_paper_is_inverted(mnist, tmp_path):
    _, _, images = mnist
    digit = images[0].reshape(28, 28)
    model = predict.trained(mnist[0])
    assert (predict.rows_of(png(tmp_path / "ink.png", 255 - digit), model) == images[0]).all()
    rgba = np.zeros((28, 28, 4), np.uint8)
    rgba[..., 3] = digit  # black ink whose opacity is the digit, on a transparent background
    assert np.abs(predict.rows_of(png(tmp_path / "clear.png", rgba, "RGBA"), model).astype(int) - images[0]).max() <= 1
    large = np.kron(digit, np.ones((4, 4), np.uint8))  # 112 x 112, resized back to 28 x 28
    row = predict.rows_of(png(tmp_path / "large.png", large), model).astype(int)
    assert row.shape == (1, 784) and np.abs(row - images[0]).mean() < 3


def test_rows_in_npz_and_csv(mnist, tmp_path, capsys):
    folder, outputs, images = mnist
    np.savez(tmp_path / "bytes.npz", images)  # bytes are divided by 255, as MNIST's
    rows = images / 255.0
    (tmp_path / "rows.csv").write_text("\n".join(["p" + ",p".join(map(str, range(784)))] +
                                                 [",".join(repr(float(v)) for v in r) for r in rows]) + "\n")
    np.savez(tmp_path / "one.npz", x=rows[3])  # one row, flat
    got = predictions(capsys, folder, tmp_path / "bytes.npz", tmp_path / "rows.csv", tmp_path / "one.npz")
    classes = outputs.argmax(axis=1).tolist()
    assert [p["class"] for p in got] == classes + classes + [classes[3]]
    assert [p["row"] for p in got[:FIRST]] == list(range(FIRST))
    code, out, _ = cli(capsys, "predict", folder, tmp_path / "rows.csv")
    assert out.splitlines()[2].startswith(f"{tmp_path / 'rows.csv'}[2]: {classes[2]}  (")


def test_a_tables_rows_are_scaled_and_named_by_class(tmp_path, capsys):
    spec = load_spec(ROOT / "specs/examples/iris.yaml", ["training.epochs=30"])
    folder = run_spec(spec, tmp_path).folder
    raw = source_of(spec.data.source).load(spec.base, {"test"})["test"][0]  # centimetres, as in the CSV
    (tmp_path / "flowers.csv").write_text("\n".join(",".join(map(str, r)) for r in raw))
    got = predictions(capsys, folder, tmp_path / "flowers.csv")
    names = ["setosa", "versicolor", "virginica"]
    expected = evaluate_path(folder)["outputs"].argmax(axis=1)
    assert [p["class"] for p in got] == [names[k] for k in expected] and len(got) == len(raw)
    assert "not an image's pixels" in one_line(capsys, folder, png(tmp_path / "x.png", np.zeros((2, 2), np.uint8)))


@pytest.mark.parametrize("name, content, message", [
    ("short.csv", "1,2,3\n", "short.csv:1: expected 784 inputs per row, got 3"),
    ("word.csv", "a,b\n" + ",".join(["0"] * 784) + "\n0,x" + ",0" * 782 + "\n", "word.csv:3: not a finite number. Got 'x'"),
    ("nan.csv", ",".join(["nan"] * 784), "nan.csv: no rows of numbers"),
    ("empty.csv", "", "empty.csv: no rows of numbers"),
    ("text.npz", "not a zip", "text.npz: not a .npz archive"),
    ("digit.svg", "<svg/>", "digit.svg: cannot tell what this file holds from its extension"),
    ("broken.png", "\x89PNG\r\n\x1a\n broken", "broken.png: cannot read it as an image"),
    ("text.png", "just text", "text.png: cannot read it as an image: Pillow knows no image format in it"),
], ids=["width", "word", "nan", "empty", "npz", "extension", "png", "text-as-png"])
def test_a_bad_input_is_one_line(mnist, tmp_path, capsys, name, content, message):
    (tmp_path / name).write_text(content, encoding="latin-1")
    assert one_line(capsys, mnist[0], tmp_path / name) .startswith(f"{tmp_path / message}")


def test_npz_arrays_are_checked_before_they_are_read(mnist, tmp_path, capsys):
    np.savez(tmp_path / "two.npz", a=np.zeros((1, 784)), b=np.zeros((1, 784)))
    assert "it has 2 arrays (a, b), and predict reads one" in one_line(capsys, mnist[0], tmp_path / "two.npz")
    np.savez(tmp_path / "wide.npz", np.zeros((2, 785)))
    assert "wide.npz: expected 784 inputs per row, got 785" in one_line(capsys, mnist[0], tmp_path / "wide.npz")
    np.savez(tmp_path / "cube.npz", np.zeros((2, 2, 196)))
    assert "its array is 3-dimensional float64, not rows of numbers" in one_line(capsys, mnist[0], tmp_path / "cube.npz")


def test_sizes_are_bounded(mnist, tmp_path, capsys, monkeypatch):
    with open(tmp_path / "huge.csv", "wb") as f:
        f.truncate(predict.MAX_BYTES + 1)
    assert "huge.csv: larger than 20 MiB" in one_line(capsys, mnist[0], tmp_path / "huge.csv")
    Image.new("1", (10_000, 10_000)).save(tmp_path / "bomb.png")  # 100 million pixels in a few kB
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no DecompressionBombWarning from Pillow (its limit is 89 million)
        assert "bomb.png: 10000 x 10000 pixels, more than 25,000,000" in one_line(capsys, mnist[0], tmp_path / "bomb.png")
    monkeypatch.setattr(predict, "MAX_ROWS", 3)
    np.savez(tmp_path / "many.npz", np.zeros((4, 784), np.uint8))
    assert "many.npz: more than 3 rows" in one_line(capsys, mnist[0], tmp_path / "many.npz")
    monkeypatch.setattr(predict, "MAX_ARRAY", 784 * 8)
    np.savez_compressed(tmp_path / "deep.npz", np.zeros((2, 784)))
    assert "deep.npz: its array would take 12,544 bytes, more than 6,272" in one_line(capsys, mnist[0], tmp_path / "deep.npz")


def test_without_pillow_one_line_names_the_extra(mnist, tmp_path, capsys, monkeypatch):
    path = png(tmp_path / "digit.png", mnist[2][0].reshape(28, 28))
    monkeypatch.setitem(sys.modules, "PIL", None)
    assert 'pip install "specnet[images]"' in one_line(capsys, mnist[0], path)


def test_a_digit_off_centre_on_a_large_page_is_normalized_as_mnists_were(mnist, tmp_path):
    """An MNIST digit drawn three times as large, dark on light, near a corner of a 300 x 200 page comes back
    close to the MNIST image itself (its ink fitted to 20 x 20, centred by mass); resizing the whole page, as
    before, made it a smudge in the corner."""
    _, _, images = mnist
    model = predict.trained(mnist[0])
    digit = images[0].reshape(28, 28)
    page = np.full((200, 300), 255, np.uint8)
    page[10:94, 200:284] = 255 - np.kron(digit, np.ones((3, 3), np.uint8))
    row = predict.rows_of(png(tmp_path / "page.png", page), model).astype(int)
    assert np.abs(row - images[0]).mean() < 12 and np.abs(row - images[0]).mean() < np.abs(images[0]).mean() / 3
    blank = predict.rows_of(png(tmp_path / "blank.png", np.full((50, 50), 255, np.uint8)), model)
    assert not blank.any()
