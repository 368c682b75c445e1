"""The evaluation centre's writes, one module per part (callbacks, reviews, …): import from the part's module."""
