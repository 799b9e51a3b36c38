"""specnet: declarative YAML specs for the networks of Nielsen's *Neural Networks and Deep Learning*,
compiled into a matrix-based NumPy executor.

    >>> import specnet
    >>> spec = specnet.load_spec("specs/ch1_sgd.yaml", ["training.epochs=1"])
    >>> specnet.compile_spec(spec)
    Network(sizes=[784, 30, 10], cost='quadratic')
"""
from importlib import import_module

__version__ = "1.0.0.dev0"
__all__ = ["load_spec", "spec_from_dict", "compile_spec", "Network", "SpecError", "run_spec", "__version__"]

# Imported on first use, so that `specnet --help` does not pay for NumPy and jsonschema.
_HOMES = {"load_spec": "specnet.spec.load", "spec_from_dict": "specnet.spec.load", "compile_spec": "specnet.training.compiler",
          "Network": "specnet.training.network", "SpecError": "specnet.errors", "run_spec": "specnet.runs.run"}


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'specnet' has no attribute {name!r}")
