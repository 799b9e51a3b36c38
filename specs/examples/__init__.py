"""Specs for data of your own (CSV tables), shipped as `specnet.specs.examples`: `specnet run examples/iris`."""
