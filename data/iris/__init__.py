"""Fisher's Iris table as CSV, shipped as `specnet.data.iris` (see ../README.md)."""
