"""« Créer mon compte » (FEATURES A1, A2, and A3 with a code provisoire)."""
