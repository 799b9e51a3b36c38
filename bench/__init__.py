"""specnet's benchmark: one SGD epoch of the book's networks, in specnet and in its peers (see README.md).

    python -m bench [--quick] [--impl NAME ...] [--repeats N]
"""
