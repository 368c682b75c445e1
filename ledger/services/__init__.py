"""Every write of the ledger app, one module per part: pairing contacts, service teams."""
