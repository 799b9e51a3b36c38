"""The bundled data, shipped in the package as `specnet.data` (see README.md here for sources and licenses)."""
