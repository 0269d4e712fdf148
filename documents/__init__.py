"""PDF documents (attestations, décomptes, relevés) rendered with WeasyPrint.

Nothing is built here yet: the renderers arrive with the payments and documents issue (D1–D8).
"""
