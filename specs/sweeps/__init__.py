"""Sweeps of the book's networks (docs/sweeps.md), shipped as `specnet.specs.sweeps`: `specnet sweep sweeps/ch3_eta_lambda`."""
