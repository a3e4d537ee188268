"""Public advice for children, parents and carers, and professionals. Holds no case data."""
