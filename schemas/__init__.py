"""The JSON Schema of specnet specs, shipped in the package as `specnet.schemas` (see specnet/resources.py)."""
