"""The spec stages, each a pure function of the one before: read the YAML with line marks (document,
yamlbounds) → apply --set overrides (overrides) → validate against the JSON Schema (schema,
schema_errors) → fill the schema's defaults and check what a schema cannot say (checks, training_checks,
number_checks, memory) → build the typed, frozen Spec (resolve). `load.load_spec` runs them in order;
`diff` compares two resolved specs. Nothing here imports training, runs or commands.
"""
