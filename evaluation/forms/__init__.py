"""Forms of the evaluation centre, one module per part."""
