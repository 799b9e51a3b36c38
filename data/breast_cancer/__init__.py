"""The Breast Cancer Wisconsin (Diagnostic) table as CSV, shipped as `specnet.data.breast_cancer` (see ../README.md)."""
