"""PDF documents (FEATURES D1–D8, C1 « ↓ », C2, C3) and their verification (X1).

A renderer per document type (renderers.py) turns registry and payment data into HTML with
print CSS; WeasyPrint turns it into PDF bytes (pdf.py). `services.issue()` stores each PDF once
in private storage as a `GeneratedDocument` carrying an unguessable verification code and a QR
code; downloads stream the stored file through an owner-checked view, any number of times (D8).
"""
