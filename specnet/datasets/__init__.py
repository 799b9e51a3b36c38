"""The data a spec trains on: sources (MNIST's IDX files, CSV tables, .npz arrays, inline values) read
by bounded readers (idx, tables, npzfile, npyheader), scaled (scaling), split into the book's training,
validation and test sets, and expanded by small rotations and shifts (expand); `dataset.load_datasets`
returns them as Datasets, examples as rows.
"""
