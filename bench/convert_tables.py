"""python -m bench.convert_tables: make data/iris/iris.csv and data/breast_cancer/breast_cancer.csv from the
copies scikit-learn bundles (sklearn/datasets/data/), as data/README.md describes.

scikit-learn's files start with a line "n_rows,n_features,class name 0,class name 1,..." and end each row
with the class as an integer. The tables specnet ships are plain CSV instead: a header row naming the
columns (scikit-learn's feature names, with runs of spaces and brackets made into one underscore) and the
label column last, holding the class NAME. The numbers are copied as the text they are in scikit-learn's
file, unchanged, so the result depends on nothing but that file.

    python -m bench.convert_tables            # write both tables and print their SHA-256 sums
    python -m bench.convert_tables --check    # only compare with the files in data/ (exit 1 if different)
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# table: (scikit-learn's file, its loader, the label column's name, where specnet keeps the result)
TABLES = {
    "iris": ("iris.csv", "load_iris", "species", "data/iris/iris.csv"),
    "breast_cancer": ("breast_cancer.csv", "load_breast_cancer", "diagnosis", "data/breast_cancer/breast_cancer.csv"),
}


def column_name(feature: str) -> str:
    """'sepal length (cm)' -> 'sepal_length_cm'; 'mean concave points' -> 'mean_concave_points'."""
    return re.sub(r"[^0-9A-Za-z]+", "_", feature).strip("_")


def convert(name: str) -> str:
    """Return the text of specnet's CSV for table `name`, made from scikit-learn's bundled copy."""
    from importlib.resources import files

    import sklearn.datasets

    source, loader, label, _ = TABLES[name]
    features = [column_name(str(f)) for f in getattr(sklearn.datasets, loader)().feature_names]
    lines = files("sklearn.datasets.data").joinpath(source).read_text(encoding="utf-8").splitlines()
    n_rows, n_features, *classes = lines[0].split(",")
    if int(n_features) != len(features):
        raise SystemExit(f"{source}: {n_features} features in its first line, but {len(features)} names")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(features + [label])
    rows = [line.split(",") for line in lines[1:] if line.strip()]
    if len(rows) != int(n_rows):
        raise SystemExit(f"{source}: {n_rows} rows announced, {len(rows)} found")
    for row in rows:
        writer.writerow(row[:-1] + [classes[int(row[-1])]])
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.convert_tables", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files in data/; write nothing")
    args = parser.parse_args(argv)
    try:
        import sklearn
    except ImportError:
        print("scikit-learn is not installed: pip install scikit-learn", file=sys.stderr)
        return 2
    differ = False
    for name, (_, _, _, target) in TABLES.items():
        text = convert(name)
        path = ROOT / target
        if args.check:
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            differ |= not same
            print(f"{target}: {'identical' if same else 'DIFFERS'} (from scikit-learn {sklearn.__version__})")
        else:
            unchanged = path.is_file() and path.read_text(encoding="utf-8") == text
            if not unchanged:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="")
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            print(f"{target}: {text.count(chr(10)) - 1} rows, sha256 {digest}{' (unchanged)' if unchanged else ''}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
