"""French départements, to check a postal code typed in a change of address (FEATURES E4).

No package on the registries ships La Poste's base of postal codes with every commune
(python-stdnum has none; the generic "postal codes of the world" packages list one locality per
code). So a French address is checked as far as public, stable data allows: five digits, a
département that exists, and the city compared with the chefs-lieux of the other départements
(« 33000 PARIS » is flagged); the person then confirms the address on « C'est bien ça ! ».
"""

from __future__ import annotations

import re
import unicodedata

# code -> (name, chef-lieu)
DEPARTEMENTS = {
    "01": ("Ain", "Bourg-en-Bresse"),
    "02": ("Aisne", "Laon"),
    "03": ("Allier", "Moulins"),
    "04": ("Alpes-de-Haute-Provence", "Digne-les-Bains"),
    "05": ("Hautes-Alpes", "Gap"),
    "06": ("Alpes-Maritimes", "Nice"),
    "07": ("Ardèche", "Privas"),
    "08": ("Ardennes", "Charleville-Mézières"),
    "09": ("Ariège", "Foix"),
    "10": ("Aube", "Troyes"),
    "11": ("Aude", "Carcassonne"),
    "12": ("Aveyron", "Rodez"),
    "13": ("Bouches-du-Rhône", "Marseille"),
    "14": ("Calvados", "Caen"),
    "15": ("Cantal", "Aurillac"),
    "16": ("Charente", "Angoulême"),
    "17": ("Charente-Maritime", "La Rochelle"),
    "18": ("Cher", "Bourges"),
    "19": ("Corrèze", "Tulle"),
    "2A": ("Corse-du-Sud", "Ajaccio"),
    "2B": ("Haute-Corse", "Bastia"),
    "21": ("Côte-d'Or", "Dijon"),
    "22": ("Côtes-d'Armor", "Saint-Brieuc"),
    "23": ("Creuse", "Guéret"),
    "24": ("Dordogne", "Périgueux"),
    "25": ("Doubs", "Besançon"),
    "26": ("Drôme", "Valence"),
    "27": ("Eure", "Évreux"),
    "28": ("Eure-et-Loir", "Chartres"),
    "29": ("Finistère", "Quimper"),
    "30": ("Gard", "Nîmes"),
    "31": ("Haute-Garonne", "Toulouse"),
    "32": ("Gers", "Auch"),
    "33": ("Gironde", "Bordeaux"),
    "34": ("Hérault", "Montpellier"),
    "35": ("Ille-et-Vilaine", "Rennes"),
    "36": ("Indre", "Châteauroux"),
    "37": ("Indre-et-Loire", "Tours"),
    "38": ("Isère", "Grenoble"),
    "39": ("Jura", "Lons-le-Saunier"),
    "40": ("Landes", "Mont-de-Marsan"),
    "41": ("Loir-et-Cher", "Blois"),
    "42": ("Loire", "Saint-Étienne"),
    "43": ("Haute-Loire", "Le Puy-en-Velay"),
    "44": ("Loire-Atlantique", "Nantes"),
    "45": ("Loiret", "Orléans"),
    "46": ("Lot", "Cahors"),
    "47": ("Lot-et-Garonne", "Agen"),
    "48": ("Lozère", "Mende"),
    "49": ("Maine-et-Loire", "Angers"),
    "50": ("Manche", "Saint-Lô"),
    "51": ("Marne", "Châlons-en-Champagne"),
    "52": ("Haute-Marne", "Chaumont"),
    "53": ("Mayenne", "Laval"),
    "54": ("Meurthe-et-Moselle", "Nancy"),
    "55": ("Meuse", "Bar-le-Duc"),
    "56": ("Morbihan", "Vannes"),
    "57": ("Moselle", "Metz"),
    "58": ("Nièvre", "Nevers"),
    "59": ("Nord", "Lille"),
    "60": ("Oise", "Beauvais"),
    "61": ("Orne", "Alençon"),
    "62": ("Pas-de-Calais", "Arras"),
    "63": ("Puy-de-Dôme", "Clermont-Ferrand"),
    "64": ("Pyrénées-Atlantiques", "Pau"),
    "65": ("Hautes-Pyrénées", "Tarbes"),
    "66": ("Pyrénées-Orientales", "Perpignan"),
    "67": ("Bas-Rhin", "Strasbourg"),
    "68": ("Haut-Rhin", "Colmar"),
    "69": ("Rhône", "Lyon"),
    "70": ("Haute-Saône", "Vesoul"),
    "71": ("Saône-et-Loire", "Mâcon"),
    "72": ("Sarthe", "Le Mans"),
    "73": ("Savoie", "Chambéry"),
    "74": ("Haute-Savoie", "Annecy"),
    "75": ("Paris", "Paris"),
    "76": ("Seine-Maritime", "Rouen"),
    "77": ("Seine-et-Marne", "Melun"),
    "78": ("Yvelines", "Versailles"),
    "79": ("Deux-Sèvres", "Niort"),
    "80": ("Somme", "Amiens"),
    "81": ("Tarn", "Albi"),
    "82": ("Tarn-et-Garonne", "Montauban"),
    "83": ("Var", "Toulon"),
    "84": ("Vaucluse", "Avignon"),
    "85": ("Vendée", "La Roche-sur-Yon"),
    "86": ("Vienne", "Poitiers"),
    "87": ("Haute-Vienne", "Limoges"),
    "88": ("Vosges", "Épinal"),
    "89": ("Yonne", "Auxerre"),
    "90": ("Territoire de Belfort", "Belfort"),
    "91": ("Essonne", "Évry-Courcouronnes"),
    "92": ("Hauts-de-Seine", "Nanterre"),
    "93": ("Seine-Saint-Denis", "Bobigny"),
    "94": ("Val-de-Marne", "Créteil"),
    "95": ("Val-d'Oise", "Cergy"),
    "971": ("Guadeloupe", "Basse-Terre"),
    "972": ("Martinique", "Fort-de-France"),
    "973": ("Guyane", "Cayenne"),
    "974": ("La Réunion", "Saint-Denis"),
    "975": ("Saint-Pierre-et-Miquelon", "Saint-Pierre"),
    "976": ("Mayotte", "Mamoudzou"),
    "977": ("Saint-Barthélemy", "Gustavia"),
    "978": ("Saint-Martin", "Marigot"),
}

POSTAL_CODE_RE = re.compile(r"^\d{5}$")


class PostalCodeError(ValueError):
    """A French postal code that cannot exist (the message is French)."""


def normalise_city(value: str) -> str:
    """« Saint-Étienne » -> « SAINT ETIENNE » (La Poste's way: capitals, no accent)."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    return " ".join(text.upper().split())


def departement_of(postal_code: str) -> str:
    """The département code of a French postal code, or PostalCodeError."""
    code = (postal_code or "").replace(" ", "")
    if not POSTAL_CODE_RE.match(code):
        raise PostalCodeError("Le code postal comporte 5 chiffres, par exemple 75019.")
    if code.startswith("20"):
        return "2A" if int(code[2:]) < 200 else "2B"
    if code.startswith("97"):
        if code[:3] in DEPARTEMENTS:
            return code[:3]
        raise PostalCodeError(f"Le code postal {code} ne correspond à aucun département.")
    if code.startswith("98"):
        raise PostalCodeError(
            "Les codes postaux commençant par 98 sont ceux de Monaco et des collectivités "
            "du Pacifique : choisissez « Dans un autre pays »."
        )
    if code[:2] in DEPARTEMENTS:
        return code[:2]
    raise PostalCodeError(f"Le code postal {code} ne correspond à aucun département.")


def departement_label(code: str) -> str:
    name, _ = DEPARTEMENTS[code]
    return f"{name} ({code})"


# Chefs-lieux whose name is also the name of communes elsewhere (Saint-Denis in the 93 and in
# La Réunion, Saint-Pierre, Laval in the Isère…): no warning for them.
HOMONYMS = {"SAINT DENIS", "SAINT PIERRE", "CHAUMONT", "LAVAL", "VALENCE", "MOULINS", "MARIGOT"}
_CHEFS_LIEUX = {}
for _code, (_name, _city) in DEPARTEMENTS.items():
    if normalise_city(_city) not in HOMONYMS:
        _CHEFS_LIEUX.setdefault(normalise_city(_city), []).append(_code)


def city_warning(postal_code: str, city: str) -> str:
    """A French warning when `city` is the chef-lieu of another département only ("" if not)."""
    try:
        departement = departement_of(postal_code)
    except PostalCodeError:
        return ""
    codes = _CHEFS_LIEUX.get(normalise_city(city), [])
    if not codes or departement in codes:
        return ""
    other = codes[0]
    return (
        f"{DEPARTEMENTS[other][1]} se trouve dans le département {departement_label(other)}, "
        f"alors que le code postal {postal_code} est celui du département "
        f"{departement_label(departement)}. Vérifiez le code postal et la commune."
    )
