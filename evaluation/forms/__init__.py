"""The evaluation centre's forms, one module per part."""
