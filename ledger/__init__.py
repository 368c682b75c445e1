"""Ledger closure (掌握 → 登记 → 兑现 → 销号) and cadre-to-household pairing. Not built yet."""
