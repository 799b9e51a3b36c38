"""MNIST's four IDX files, shipped as `specnet.data.mnist`."""
