"""The spec stages against their contracts: --set (spec/overrides.py), defaults and the Spec dataclasses
(spec/resolve.py), and the bounds of the YAML reader (spec/yamlbounds.py). Errors are checked as the one
line a user reads, `file:line: path: message. Got X. hint`, and every bound at its edge: these tests kill the
mutants that survived the first mutation run of these modules (bench/mutation.md).
"""
from pathlib import Path
import tracemalloc

import pytest
import yaml

from conftest import tiny_spec
from specnet.errors import SpecError
from specnet.spec.document import Origin, parse_yaml
from specnet.spec.load import load_spec, spec_from_dict
from specnet.spec.overrides import apply_overrides, parse_override
from specnet.spec.resolve import Component, build_spec, dump, fill
from specnet.spec.schema import load_schema, mapping_form
from specnet.spec.yamlbounds import (MAX_BYTES, MAX_DEPTH, MAX_VALUES, Budget, Loader, check_size, check_text,
                                     read_spec_text)

SPEC = "seed: 1\nnetwork:\n  layers:\n    - {size: 30}\n    - {size: 10}\ndata:\n  training: training\n" \
       "training:\n  optimizer: {type: sgd, eta: 3}\n"
HINT = "For example: --set training.optimizer.eta=0.5 or --set network.layers[0].size=100"


def error_of(call, *args, **kwargs) -> SpecError:
    with pytest.raises(SpecError) as e:
        call(*args, **kwargs)
    return e.value


# --- --set (overrides.py) ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, parts, value", [
    ("network.layers[0].size=100", ["network", "layers", 0, "size"], 100),
    ("network.layers.0.size=100", ["network", "layers", 0, "size"], 100),   # a digit may index a list
    ("data.source.path=a=b.csv", ["data", "source", "path"], "a=b.csv"),   # the first '=' ends the path
    ("seed=", ["seed"], None),                                              # nothing is null
    ("seed=  ", ["seed"], None),
    ("training.monitor=[training_cost, evaluation_cost]", ["training", "monitor"], ["training_cost", "evaluation_cost"]),
])
def test_parse_override(text, parts, value):
    assert parse_override(text) == (parts, value)


@pytest.mark.parametrize("text", ["training.epochs", "training..epochs=1", "training.epochs[x]=1"])
def test_an_override_that_is_not_a_path_and_a_value(text):
    e = error_of(parse_override, text)
    assert str(e) == f"--set {text}: expected dotted.path=value. Got '{text}'. {HINT}"


def test_an_override_value_that_is_not_yaml():
    text = str(error_of(parse_override, "seed=[1"))
    assert text.startswith("--set seed=[1: the value is not valid YAML: ")
    assert text.endswith(". Quote a value with special characters: --set 'path=[1, 2]'.")
    assert "invalid YAML" not in text and "\n" not in text


@pytest.mark.parametrize("text, expected", [
    ("name=a\x07b", "--set name=a\x07b: control character '\\x07' at column 2 of the value: a spec is plain text."
                    " Remove it (an editor can show invisible characters)."),
    ("seed=" + "9" * 25, f"--set seed={'9' * 25}: is not a number specnet can hold: integers stop at 2**63."
                         f" Got '{'9' * 25}'. Is a digit repeated by mistake?"),
    ("seed=!!str 1", "--set seed=!!str 1: YAML tag !!str is not allowed: a spec is data, never code. Remove the tag."),
])
def test_a_bound_on_an_override_value_is_said_with_its_column_in_the_value(text, expected):
    assert str(error_of(parse_override, text)) == expected


def test_setting_inside_missing_sections_creates_them_from_the_command_line():
    doc = parse_yaml("seed: 1\n", "s.yaml")
    where = "--set training.optimizer.eta=0.5"
    new = apply_overrides(doc, ["training.optimizer.eta=0.5"])
    assert new.data == {"seed": 1, "training": {"optimizer": {"eta": 0.5}}}
    for path in [("training",), ("training", "optimizer"), ("training", "optimizer", "eta")]:
        assert new.origins[path] == Origin("set", where)
        assert str(new.origins[path]) == where        # what `specnet show` prints for it
        assert new.where(path) == (where, None)
    assert new.where(("seed",)) == ("s.yaml", 1)
    assert doc.data == {"seed": 1} and ("training",) not in doc.origins


def test_an_override_leaves_the_document_it_was_given_alone():
    doc = parse_yaml(SPEC, "s.yaml")
    new = apply_overrides(doc, ["training.optimizer.eta=0.5", "network.layers[1].size=7"])
    assert new.data["training"]["optimizer"]["eta"] == 0.5 and new.data["network"]["layers"][1] == {"size": 7}
    assert doc.data["training"]["optimizer"]["eta"] == 3 and doc.data["network"]["layers"][1] == {"size": 10}
    assert doc.where(("training", "optimizer", "eta")) == ("s.yaml", 9)


def test_a_mapping_set_whole_takes_the_origin_of_every_value_in_it():
    where = "--set training.optimizer={type: sgd, eta: 1}"
    new = apply_overrides(parse_yaml(SPEC, "s.yaml"), [where.removeprefix("--set ")])
    assert new.data["training"]["optimizer"] == {"type": "sgd", "eta": 1}
    assert new.where(("training", "optimizer", "eta")) == (where, None)  # not line 9 of s.yaml any more
    assert new.origins[("training", "optimizer", "type")] == Origin("set", where)


@pytest.mark.parametrize("override, expected", [
    ("a.2.b=1", {"a": {"2": {"b": 1}}}),  # in a mapping, 2 is a key named "2"
    ("a.2=1", {"a": {"2": 1}}),
    ("network.layers[1]={size: 7}", {"network": {"layers": [{"size": 30}, {"size": 7}]}}),
    ("network.layers.0.size=5", {"network": {"layers": [{"size": 5}, {"size": 10}]}}),
])
def test_keys_and_list_items(override, expected):
    doc = parse_yaml("network:\n  layers: [{size: 30}, {size: 10}]\n", "s.yaml")
    data = apply_overrides(doc, [override]).data
    assert {k: data[k] for k in expected} == expected


def test_a_bare_name_is_expanded_to_set_inside_it():  # data.training.take=1000 when the spec says training: training
    new = apply_overrides(parse_yaml(SPEC, "s.yaml"), ["data.training.take=1000"], mapping_form)
    assert new.data["data"]["training"] == {"split": "training", "take": 1000}
    e = error_of(apply_overrides, parse_yaml(SPEC, "s.yaml"), ["data.training.take=1000"])  # nothing expands it
    assert str(e) == ("--set data.training.take=1000: data.training: cannot set inside data.training: it is not a"
                      " mapping or list. Got 'training'.")
    seen = []

    def splits_only(path, name):  # expands the names of splits only, wherever they are
        seen.append((path, name))
        return {"split": name} if name in ("training", "validation", "test") else None

    new = apply_overrides(parse_yaml(SPEC + "name: tiny\n", "s.yaml"), ["data.training.take=9"], splits_only)
    assert new.data["data"]["training"] == {"split": "training", "take": 9}
    assert seen[0] == (("data", "training"), "training")
    e = error_of(apply_overrides, parse_yaml(SPEC + "name: tiny\n", "s.yaml"), ["name.x=1"], splits_only)
    assert "cannot set inside name: it is not a mapping or list. Got 'tiny'" in str(e)


@pytest.mark.parametrize("override, expected", [
    ("network.layers[5].size=3", "network.layers[5]: no item 5 in a list of 2"),
    ("network.layers[2].size=3", "network.layers[2]: no item 2 in a list of 2"),   # one past the end
    ("network.layers[2]=3", "network.layers[2]: no item 2 in a list of 2"),
    ("network.layers[-1]=3", None),
    ("network.layers.size=3", "network.layers.size: no item size in a list of 2"),
    ("seed.x=1", "seed: cannot set inside seed: it is not a mapping or list. Got 1"),
    ("seed.x.y=1", "seed: cannot set inside seed: it is not a mapping or list. Got 1"),
])
def test_an_override_that_cannot_be_set_is_one_line_naming_it(override, expected):
    if expected is None:  # [-1] is not a path: the parser refuses it before any list is looked at
        assert "expected dotted.path=value" in str(error_of(apply_overrides, parse_yaml(SPEC, "s.yaml"), [override]))
        return
    e = error_of(apply_overrides, parse_yaml(SPEC, "s.yaml"), [override], mapping_form)
    assert str(e) == f"--set {override}: {expected}."


# --- defaults and the Spec (resolve.py) --------------------------------------------------------------------

def test_fill_records_every_default_it_fills():
    origins = {}
    resolved = fill(tiny_spec(), load_schema(), (), origins)
    assert resolved["training"]["shuffle"] is True and resolved["data"]["training"]["take"] is None
    for path in [("training", "shuffle"),
                 ("data", "training"), ("data", "training", "digits"),  # a default name, then its mapping's
                 ("network", "layers", 1, "dropout")]:                  # inside a list item
        assert origins[path] == Origin("default")
    assert fill(tiny_spec(), load_schema()) == resolved                # origins are optional


def test_defaults_inside_a_bare_name_given_in_the_spec_are_recorded():
    origins = {}
    spec = tiny_spec()
    spec["data"]["training"] = "test"
    resolved = fill(spec, load_schema(), (), origins)
    assert resolved["data"]["training"] == {"split": "test", "digits": None, "take": None}
    assert origins[("data", "training", "take")] == Origin("default") and ("data", "training") not in origins


def test_a_name_under_names_only_stays_a_name():
    assert fill("x", {"oneOf": [{"enum": ["x", "y"]}]}) == "x"


def test_whole_numbers_written_as_floats_become_integers():  # epochs: 1e1 is 10
    spec = tiny_spec()
    spec["training"]["epochs"] = 1e1
    resolved = spec_from_dict(spec, "t.yaml")
    assert resolved.training.epochs == 10 and isinstance(resolved.training.epochs, int)
    assert "  epochs: 10\n" in dump(resolved)


def test_the_spec_dataclasses_hold_every_resolved_value():
    spec = tiny_spec(description="XOR", seed=4)
    spec["network"]["init"] = "gaussian"
    spec["training"].update(shuffle=False, monitor_every=2)
    spec["data"]["scale"] = "minmax"
    s = build_spec(fill(spec, load_schema()), "t.yaml", {}, "/data")
    assert (s.description, s.seed, s.file, s.base) == ("XOR", 4, "t.yaml", Path("/data"))
    assert s.network.init == Component("gaussian")
    assert s.training.shuffle is False and s.training.monitor_every == 2
    assert s.data.scale == "minmax"
    assert s.training.executor == "auto"  # the schema's default, not the dataclass's "numpy"


def test_split_digits():
    spec = load_spec("ch1_sgd", ["data.training.digits=[3, 5]"], check_data=False)
    assert spec.data.training.digits == (3, 5) and spec.data.evaluation.digits is None


def test_a_value_is_located_at_its_line_or_else_in_its_file(write_spec):
    path = write_spec(yaml.safe_dump(tiny_spec(), sort_keys=False), "mine.yaml")
    spec = load_spec(path, check_data=False)
    assert spec.where(("seed",)) == (str(path), 3)
    section = path.read_text().splitlines().index("training:") + 1
    assert spec.where(("training", "shuffle")) == (str(path), section)  # a default: the line of its section
    assert spec_from_dict(tiny_spec(), "t.yaml").where(("seed",)) == ("t.yaml", None)  # data given as a dict


def test_the_digest_does_not_depend_on_the_order_of_keys():
    spec = spec_from_dict(tiny_spec(), "t.yaml")
    reordered = {key: spec.resolved[key] for key in reversed(list(spec.resolved))}
    assert build_spec(reordered).digest() == spec.digest()


def test_the_dump_keeps_the_schema_order():  # specnet, name, description, seed, data, network, ...
    spec = spec_from_dict(tiny_spec(), "t.yaml")
    loaded = yaml.safe_load(dump(spec))
    assert loaded == spec.resolved
    assert list(loaded) == list(spec.resolved) == [k for k in load_schema()["properties"] if k in spec.resolved]
    assert list(loaded["training"]) == list(spec.resolved["training"])


# --- bounds of the reader (yamlbounds.py) ------------------------------------------------------------------

def test_the_size_bound_is_one_mb():
    check_size("x" * MAX_BYTES, "big.yaml")
    check_size(b"x" * MAX_BYTES, "big.yaml")
    message = "big.yaml: the file is larger than 1 MB: too large for a spec. A spec is a few KB: is this the right file?"
    assert str(error_of(check_text, "x" * (MAX_BYTES + 1), "big.yaml")) == message
    assert str(error_of(check_size, b"x" * (MAX_BYTES + 1), "big.yaml")) == message


def test_nesting_is_counted_from_the_top_mapping():
    text = "specnet: 1\nseed: 1\na: {b: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "}\n"
    check_text(text, "deep.yaml")  # the top mapping, {b: ...} and 62 lists: 64 levels
    text = "specnet: 1\nseed: 1\na: {b: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}\n"
    assert str(error_of(check_text, text, "deep.yaml")) == ("deep.yaml:3: nested more than 64 levels deep. A spec is"
                                                            " a few levels of keys.")


def test_nesting_goes_back_up_as_lists_close():
    deep = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    check_text(f"a: [[[]], [], {deep}]\n", "deep.yaml")              # 1 + 1 + 62 = 64 levels
    assert "nested more than 64" in str(error_of(check_text, f"a: [[[]], [], [{deep}]]\n", "deep.yaml"))
    check_text(f"a: [[]]\nb: [{deep}]\n", "deep.yaml")


class DeepLibyaml(Loader):
    """A loader whose libyaml stops at 1,000 levels before the events come, as libyaml 0.2.6 does (PyYAML
    6.0.4's wheels: ScannerError 'while increasing flow level / exceeded maximum nesting depth'); the
    libyaml 0.2.5 here has no such limit."""
    mark = yaml.Mark("<unicode string>", 1012, 2, 1002, None, None)

    def check_event(self, *choices):
        raise yaml.scanner.ScannerError("while increasing flow level", None, "exceeded maximum nesting depth",
                                        self.mark)


class DeepLibyamlWithoutMark(Loader):
    def check_event(self, *choices):
        raise yaml.YAMLError("exceeded maximum nesting depth")  # an error with no problem_mark at all


@pytest.mark.parametrize("loader, line", [(DeepLibyaml, 3), (DeepLibyamlWithoutMark, None)])
def test_libyaml_s_own_nesting_limit_is_the_same_line(loader, line):
    text = "specnet: 1\nseed: 1\na: " + "[" * 1010 + "]" * 1010 + "\n"
    e = error_of(check_text, text, "deep.yaml", loader)
    where = "deep.yaml:3" if line else "deep.yaml"
    assert str(e) == f"{where}: nested more than 64 levels deep. A spec is a few levels of keys."


def test_a_syntax_error_is_left_to_the_loader_that_reads_next():
    assert check_text("a: [1\n", "s.yaml") is None


def test_the_values_bound_counts_every_value_before_aliases():
    # events counted: the top mapping, the key a, the list and its items
    items = MAX_VALUES - 3
    check_text("a: [" + "0, " * items + "]\n", "v.yaml")
    text = "# a comment\n\na: [" + "0, " * (items + 1) + "]\n"
    assert str(error_of(check_text, text, "v.yaml")) == ("v.yaml:3: more than 30,000 values. A spec this large is not a"
                                                         " spec: keep data in a data file.")


def test_the_alias_budget_counts_each_value_built():
    budget = Budget("b.yaml")
    for _ in range(MAX_VALUES):
        budget.take(1)
    assert str(error_of(budget.take, 7)) == ("b.yaml:7: more than 30,000 values once YAML aliases are expanded. A spec"
                                            " this large is not a spec: check its anchors (&) and aliases (*).")


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: !!str 1\n", "s.yaml:2: YAML tag !!str is not allowed: a spec is data, never code. Remove the tag."),
    ("a: 1\nb: !x 1\n", "s.yaml:2: YAML tag !x is not allowed: a spec is data, never code. Remove the tag."),
    ("a: 1\nb: &a {x: 1}\nc:\n  <<: *a\n", "s.yaml:4: YAML merge keys (<<) are not supported in specs. Use extends:"
                                           " to build on another spec."),
    ("a: 1\nb: 2\nc: \x07\n", "s.yaml:3: control character '\\x07' at column 4: a spec is plain text. Remove it (an"
                              " editor can show invisible characters)."),
])
def test_what_a_spec_may_not_hold_is_one_line_at_its_line(text, expected):
    assert str(error_of(check_text, text, "s.yaml")) == expected


def test_a_quoted_merge_key_is_a_plain_key():
    check_text("a: 1\n'<<': 2\n", "s.yaml")


def test_reading_a_spec_that_is_not_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert str(error_of(read_spec_text, Path("."))) == ".: not a regular file: a spec is one. Give a .yaml file."
    assert str(error_of(read_spec_text, "nope.yaml")) == ("nope.yaml: cannot read the spec: No such file or directory."
                                                          " Check the path.")
    assert str(error_of(read_spec_text, "a\0b.yaml")) == "a\0b.yaml: cannot read the spec: embedded null byte. Check the path."
    long = "x" * 250 + ".yaml"
    assert error_of(read_spec_text, long).file == long[:200]  # a message quotes at most 200 characters of a name


def test_at_most_one_byte_more_than_the_bound_is_read(tmp_path):
    path = tmp_path / "sparse.yaml"
    with open(path, "wb") as f:
        f.truncate(64 << 20)  # 64 MB of zeros, taking no disk space
    tracemalloc.start()
    e = error_of(read_spec_text, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "larger than 1 MB" in str(e) and peak < 4 << 20, peak
    (tmp_path / "exact.yaml").write_bytes(b"#" * MAX_BYTES)
    assert len(read_spec_text(tmp_path / "exact.yaml")) == MAX_BYTES


@pytest.mark.parametrize("raw, line, byte", [
    (b"a: 1\nb: 2\nc: \xff\n", 3, 4),
    (b"\n\xff", 2, 1),
    (b"\xff\n", 1, 1),
])
def test_bytes_that_are_not_utf8_are_located(tmp_path, raw, line, byte):
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    assert str(error_of(read_spec_text, path)) == (f"{path}:{line}: not UTF-8 text (byte {byte} of the line). Save"
                                                   " the spec as UTF-8.")
