"""The book's specs, shipped in the package as `specnet.specs`: `specnet run ch1_sgd` runs specs/ch1_sgd.yaml."""
