"""The registry of démarche types: one module per type under `demarches/types/`.

A module declares a subclass of `demarches.engine.DemarcheType` and decorates it with
`@register`; `autodiscover()` (called by the app's `ready()`) imports every module of the
package, so adding a démarche never touches the engine.
"""

import importlib
import pkgutil

from django.http import Http404

_TYPES = {}


def register(cls):
    """Class decorator: instantiate the type and make it reachable by its slug."""
    instance = cls()
    if not instance.slug or instance.slug in _TYPES:
        raise ValueError(f"Type de démarche sans slug ou en double : {instance.slug!r}")
    _TYPES[instance.slug] = instance
    return cls


def autodiscover():
    from . import types

    for module in pkgutil.iter_modules(types.__path__):
        importlib.import_module(f"{types.__name__}.{module.name}")


def find_type(slug):
    return _TYPES.get(slug)


def get_type(slug):
    """The type for a slug; an unknown slug (e.g. typed in a URL) is a 404."""
    found = _TYPES.get(slug)
    if found is None:
        raise Http404("Démarche inconnue.")
    return found


def all_types():
    """Every registered type, in the order of the catalogue (their `order`, then label)."""
    return sorted(_TYPES.values(), key=lambda t: (t.order, t.label))


def type_choices():
    return [(t.slug, t.label) for t in all_types()]
