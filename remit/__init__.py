"""remit: the customer side of a company's money on a real double-entry ledger."""

__version__ = "0.1.0"
