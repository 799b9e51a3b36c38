"""Runs and what they leave: `run.run_spec` trains a spec into a new run folder (resolved spec,
metrics.jsonl, model, provenance); io saves and loads models without pickle; artefacts and modelcheck
check run folders and model files that may come from strangers; evaluate, report and plot read them back.
"""
