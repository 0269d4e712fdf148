"""One module per démarche type (ARCHITECTURE decision 3), imported by `registry.autodiscover`.

Each module holds the step forms and a `DemarcheType` subclass decorated with `@register`;
its templates live in `templates/demarches/types/` and its tests in `tests/demarches/`.
"""
