"""A spec from a stranger: every hostile or broken document is one SpecError line, fast and small; and a
property-based fuzz of the loader and of --set.

The fuzz runs a few hundred examples in every test run; for a long run, set SPECNET_FUZZ_EXAMPLES:

    SPECNET_FUZZ_EXAMPLES=20000 python -m pytest tests/test_hostile_specs.py -k fuzz -p no:cacheprovider
"""
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from specnet.errors import SpecError
from specnet.resources import specs_dir
from specnet.spec.load import load_spec

EXAMPLES = int(os.environ.get("SPECNET_FUZZ_EXAMPLES", "300"))
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("text, line, message", [
    (BOMB, None, "more than 30,000 values once YAML aliases are expanded"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "nested more than 64 levels deep"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested more than 64 levels deep"),
    ("specnet: 1\nb: &a {x: 1}\nc:\n  <<: *a\n", 4, "YAML merge keys (<<) are not supported"),
    ("specnet: 1\ndescription: \"a\x07b\"\n", 2, "control character '\\x07' at column 16"),
    ("specnet: 1\ntraining: {optimizer: {type: sgd, eta: .nan}}\n", 2, "training.optimizer.eta: must be a finite number"),
    ("specnet: 1\nseed: 1\ntraining: {optimizer: {type: sgd, eta: 1e999}}\n", 3, "must be a finite number"),
    ("", 1, "missing required key 'specnet'"),
    ("specnet: 1\ntraining: {epochs: 1, optimizer: {type: [sgd], eta: 1}}\n", 2,
     "training.optimizer.type: the optimizer's type must be a name. Got ['sgd']"),
    ("just text\n", 1, "a spec must be a mapping of keys to values; this file is a text"),
    ("specnet: 1\nseed: " + "1" * 5000 + "\n", 2, "seed: is not a number specnet can hold"),
    ("specnet: 1\nnetwork: {input: " + "9" * 400 + "}\n", 2, "network.input: is not a number specnet can hold"),
    ("specnet: 1\nseed: 1" + ":1" * 300000 + "\n", 2, "seed: must be an integer"),  # not base 60: 45 s
    ("specnet: 1\nbomb: {!!merge m: [{a: 1}]}\n", 2, "YAML tag"),
    ("x" * (1 << 20) + "\n", None, "larger than 1 MB"),
])
def test_a_hostile_document_is_one_line_fast_and_small(write_spec, text, line, message):
    path = write_spec(text)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(SpecError) as e:
        load_spec(path, check_data=False)
    seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    text = str(e.value)
    assert message in text and "\n" not in text and len(text) < 600
    assert text.startswith(f"{path}:{line}:" if line else f"{path}")
    assert peak < 100 << 20, peak  # bytes allocated while refusing it (tracemalloc also slows it down)
    assert seconds < 5, seconds    # generous for a shared machine: the figures are in docs/security.md


@pytest.mark.parametrize("override, message", [
    ("²=1", "²: unknown key '²'"),
    ("2=x", "2: unknown key '2'"),
    ("training.optimizer.eta=.inf", "must be a finite number"),
    ("description=a\x01b", "control character '\\x01' at column 2 of the value"),
    ("network.layers.0.size=3", None),
])
def test_odd_set_paths_and_values(override, message):
    if message is None:
        assert load_spec("ch1_sgd", [override], check_data=False).network.sizes == [784, 3, 10]
        return
    with pytest.raises(SpecError) as e:
        load_spec("ch1_sgd", [override, "foo=y"], check_data=False)
    assert message in str(e.value) and "Traceback" not in str(e.value)


@pytest.mark.parametrize("base, message", [
    ("/etc/passwd", "extends names a .yaml spec relative to this one, or a shipped spec by name"),
    ("../../../../../../etc/passwd", "extends names a .yaml spec relative to this one"),
    ("notaspec.yaml", "notaspec.yaml:1: not a specnet spec: it has no 'specnet' key"),
    ("text.yaml", "text.yaml:1: a spec must be a mapping of keys to values; this file is a text"),
])
def test_extends_reads_only_specs_and_never_echoes_a_file(write_spec, tmp_path, base, message):
    (tmp_path / "notaspec.yaml").write_text("password: hunter2\n")
    (tmp_path / "text.yaml").write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(SpecError) as e:
        load_spec(write_spec(f"specnet: 1\nextends: {base}\n"), check_data=False)
    assert message in str(e.value) and "hunter2" not in str(e.value) and "root:x" not in str(e.value)


SHIPPED = sorted(p.read_text(encoding="utf-8") for p in specs_dir().rglob("*.yaml"))
YAMLISH = st.text(alphabet=st.sampled_from(list("ab: -[]{},&*!<>|'\"#\n\t.0123456789e\\\x00\x07\u00b2\u2028")),
                  max_size=200)


@pytest.fixture(scope="module")
def beside_specs(tmp_path_factory):
    """A folder holding a copy of the shipped specs, so that a mutated spec's `extends:` still finds its base."""
    import shutil
    folder = tmp_path_factory.mktemp("specs")
    shutil.copytree(specs_dir(), folder, dirs_exist_ok=True)
    return folder


def _loads_or_spec_error(text, tmp_path, overrides=()):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_spec(path, list(overrides))
    except SpecError as e:
        assert str(e) and "Traceback" not in str(e)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(YAMLISH, st.builds(lambda s, i, t: s[:i % (len(s) + 1)] + t + s[i % (len(s) + 1):],
                                    st.sampled_from(SHIPPED), st.integers(0, 4000), YAMLISH)))
def test_fuzz_the_loader_gives_a_spec_or_a_spec_error(beside_specs, text):
    _loads_or_spec_error(text, beside_specs)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(
    ["training.optimizer.eta", "network.layers[0].size", "network.layers.0", "data", "2", "²", "seed", "a.b[3].c",
     "training", "network.layers[9].size", "expect[0].min", "data.source.path", ""]), YAMLISH), max_size=3))
def test_fuzz_set_gives_a_spec_or_a_spec_error(beside_specs, overrides):
    _loads_or_spec_error((Path(specs_dir()) / "ch1_sgd.yaml").read_text(), beside_specs, overrides)


def test_a_spec_file_is_read_bounded_and_as_utf8(tmp_path):
    (tmp_path / "u.yaml").write_bytes(b"specnet: 1\ndescription: \"\xff\"\n")
    with pytest.raises(SpecError, match=r"u.yaml:2: not UTF-8 text \(byte 15 of the line\)\. Save the spec as UTF-8"):
        load_spec(tmp_path / "u.yaml")
    with pytest.raises(SpecError, match="dev/zero: not a regular file"):
        load_spec("/dev/zero")


def test_github_annotations_escape_a_hostile_file_name(tmp_path, capsys):
    from specnet.commands.cli import main
    name = "a\n::add-mask::hello\n::warning file=b.yaml,title=x::pwned,c.yaml"
    (tmp_path / name).write_text("specnet: 1\nseed: x\n")
    with pytest.raises(SystemExit):
        main(["validate", "--format", "github", str(tmp_path)])
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 and out.startswith("::error file=")
    assert "%0A%3A%3Aadd-mask%3A%3Ahello" in out and "b.yaml%2Ctitle=x" in out


def test_a_fifo_or_a_nul_is_one_line_and_never_blocks(tmp_path):
    os.mkfifo(tmp_path / "f.yaml")
    with pytest.raises(SpecError, match="f.yaml: not a regular file: a spec is one"):
        load_spec(tmp_path / "f.yaml")
    (tmp_path / "n.yaml").write_text('specnet: 1\nextends: "a\\0.yaml"\n')
    with pytest.raises(SpecError, match=r"n.yaml:2: extends: extends names a .yaml spec"):
        load_spec(tmp_path / "n.yaml")
    (tmp_path / "l.yaml").write_text(f"specnet: 1\nextends: {'a' * 300}.yaml\n")
    with pytest.raises(SpecError, match=r"l.yaml:2: extends: no such base spec"):
        load_spec(tmp_path / "l.yaml")


def test_a_long_set_value_is_quoted_in_short():
    """A --set of 5,000 characters: the message names it by its first 200 (it printed all of them)."""
    with pytest.raises(SpecError) as caught:
        load_spec("ch1_sgd", ["seed=" + "9" * 5000])
    message = str(caught.value)
    assert message.startswith("--set seed=999") and "(5005 characters)" in message and len(message) < 700
