"""Reads of the ledger app that pages, home pages and dashboards share, one module per part."""
