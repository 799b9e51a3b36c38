"""The components a spec names, one concept per module, each with its registry beside its entries:
activations, costs, regularizers, initializers, optimizers, schedules (and early stopping), baselines,
and the monitored metrics. A spec refers to them only by their registered short names; the compiler
(specnet.training.compiler) is the one place that looks the names up.
"""
