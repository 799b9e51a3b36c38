"""Sweeps: the points of a `sweep:` block (specnet.spec.sweep) trained as runs, each in a run folder named by
its resolved spec, on this machine (`--jobs N`) or on a Dask cluster (`--dask ADDRESS`)."""
