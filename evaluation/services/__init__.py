"""Every write of the evaluation centre, one module per part; import from the part module."""
