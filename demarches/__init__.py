"""« Mes démarches »: the request engine (one model, states, wizard) and one module per type.

Nothing is built here yet: the engine arrives with the démarches issue (E1–E20).
"""
