"""« Mot de passe oublié ? » (FEATURES A8) and the « code provisoire » (A3, A9, H4)."""
