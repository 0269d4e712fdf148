"""Payments made by the caisse: soins, indemnités journalières, pensions, rentes."""
