"""« Ma messagerie »: threads, messages, attachments, notifications and appointments.

Nothing is built here yet: it arrives with the messagerie issue (F1–F4, B2).
"""
