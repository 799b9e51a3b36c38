import json

import pytest
import yaml

from conftest import tiny_spec
from specnet.commands.cli import main
from specnet.runs.run import run_spec
from specnet.spec.diff import Side, compare, compare_many, diff_values, flatten, varied
from specnet.spec.load import spec_from_dict


def test_defaults_only_differences_vanish():
    a = spec_from_dict(tiny_spec())
    t = tiny_spec()
    t["training"]["regularization"] = "none"
    t["training"]["optimizer"]["mu"] = 0.0
    assert compare(Side("a", a), Side("b", spec_from_dict(t)))["spec"] == {}


def test_real_differences_are_grouped_by_section():
    t = tiny_spec()
    t["training"]["optimizer"]["eta"] = 0.5
    t["network"]["layers"][0]["size"] = 5
    result = compare(Side("a", spec_from_dict(tiny_spec())), Side("b", spec_from_dict(t)))
    assert result["spec"]["training"] == [{"path": "training.optimizer.eta", "a": 2.0, "b": 0.5}]
    assert result["spec"]["network"] == [{"path": "network.layers[0].size", "a": 3, "b": 5}]


def test_added_and_removed_keys():
    assert diff_values({"a": 1}, {"b": 2}) == [("a", 1, "(absent)"), ("b", "(absent)", 2)]
    assert flatten({"x": []}) == {"x": []}


def test_run_metrics_side_by_side():
    spec = spec_from_dict(tiny_spec())
    ha = [{"epoch": 0, "evaluation_accuracy": 0.5}, {"epoch": 1, "evaluation_accuracy": 0.75}]
    hb = [{"epoch": 0, "evaluation_accuracy": 0.8}, {"epoch": 1, "evaluation_accuracy": 0.6}]
    result = compare(Side("a", spec, ha, {"seed": 1}), Side("b", spec, hb, {"seed": 2, "wall_seconds": 9}))
    row = result["metrics"]["evaluation_accuracy"]
    assert row["a"] == {"final": 0.75, "best": 0.75, "best_epoch": 1, "epochs": 2}
    assert row["b"] == {"final": 0.6, "best": 0.8, "best_epoch": 0, "epochs": 2}
    assert result["provenance"] == [{"key": "seed", "a": 1, "b": 2}]  # wall time is not provenance


def test_three_or_more_sides_give_each_differing_path_a_value_per_side():
    etas = [spec_from_dict(tiny_spec()), spec_from_dict(tiny_spec(seed=4)), spec_from_dict(tiny_spec())]
    etas[2].resolved["training"]["optimizer"]["eta"] = 0.5
    result = compare_many([Side(str(i), s) for i, s in enumerate(etas)])
    assert result == {"sides": ["0", "1", "2"], "metrics": {},
                      "spec": [{"path": "seed", "values": [3, 4, 3]},
                               {"path": "training.optimizer.eta", "values": [2.0, 2.0, 0.5]}]}
    assert varied([{"a": 1, "b": [1]}, {"a": 1, "b": [1]}, {"a": 1, "b": [2], "c": 0}]) == ["b", "c"]


def cli(capsys, *args):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_diff_of_two_is_as_it_was(tmp_path, capsys):
    other = tiny_spec()
    other["training"]["optimizer"]["eta"] = 0.5
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(tiny_spec()))
    b.write_text(yaml.safe_dump(other))
    code, out, err = cli(capsys, "diff", a, b)
    assert code == 0 and out == f"a: {a}\nb: {b}\n\n[training]\n  training.optimizer.eta: 2 -> 0.5\n"
    code, out, err = cli(capsys, "diff", a)
    assert code == 2 and out == "" and err == (
        f"specnet diff: diff compares two or more specs or runs, and one was given. Got '{a}'. Give another spec "
        "file or run folder: specnet diff A B [C...].\n")


def test_diff_of_three_runs_and_a_spec_is_a_table(tmp_path, capsys):
    folders = []
    for seed, eta in ((3, 2.0), (4, 2.0), (3, 0.5)):
        t = tiny_spec(seed=seed)
        t["training"]["optimizer"]["eta"] = eta
        folders.append(run_spec(spec_from_dict(t), tmp_path / "runs").folder)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(tiny_spec(seed=5)))
    sides = folders + [tmp_path / "spec.yaml"]
    code, out, err = cli(capsys, "diff", *sides)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:5] == [f"{n}: {s}" for n, s in zip("abcd", sides)] + [""]
    assert lines[5].split() == ["a", "b", "c", "d"]
    assert lines[6].split() == ["seed", "3", "4", "3", "5"]
    assert lines[7].split() == ["training.optimizer.eta", "2", "2", "0.5", "2"]
    assert "status completed completed completed" in [" ".join(line.split()) for line in lines]
    history = [json.loads(line) for line in (folders[2] / "metrics.jsonl").read_text().splitlines()]
    costs = [h["training_cost"] for h in history]
    row = next(line for line in lines if line.startswith("best training_cost (epoch)")).split("  ")
    assert [c.strip() for c in row if c.strip()][3] == f"{min(costs):.6g} ({costs.index(min(costs))})"
    code, out, err = cli(capsys, "diff", *sides, "--json")
    result = json.loads(out)
    assert result["status"] == ["completed"] * 3 + [None] and result["metrics"]["training_cost"][3] is None
    assert result["metrics"]["training_cost"][2] == {"final": costs[-1], "best": min(costs),
                                                     "best_epoch": costs.index(min(costs)), "epochs": 5}
