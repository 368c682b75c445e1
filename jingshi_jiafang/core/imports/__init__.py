"""Moving a county in: template workbooks, the dry run and its report, confirmed batched writes with history
(docs/features.md, "Importing a county")."""
