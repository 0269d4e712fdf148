"""« Résilier mon compte ameli » (FEATURES A12)."""
