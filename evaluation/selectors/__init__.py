"""The evaluation centre's shared reads, one module per part: import from the part's module."""
