"""The CPAM registry: caisses, insured people and what the caisse knows about them.

It exists whether or not a person has an online account (ARCHITECTURE decision 1).
"""
