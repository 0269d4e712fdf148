"""How a login or a session is shown to the person (FEATURES A14, X2, X3).

No geolocation service and no third-party parser: the browser and the system are read from
the User-Agent with a few well-known markers, and the IP address is shown masked (its last
part replaced by « x »), which is enough for a person to recognise « chez moi » or « au
travail » without the portal displaying a full address.
"""

import ipaddress
import re

# Order matters: Edge and Opera also say « Chrome », Chrome also says « Safari ».
_BROWSERS = [
    ("Edg", "Microsoft Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
]
_SYSTEMS = [
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]
UNKNOWN_BROWSER = "Navigateur inconnu"


def browser_name(user_agent: str) -> str:
    ua = user_agent or ""
    for marker, name in _BROWSERS:
        if marker in ua and (name != "Safari" or "Safari/" in ua):
            return name
    return ""


def system_name(user_agent: str) -> str:
    ua = user_agent or ""
    for marker, name in _SYSTEMS:
        if marker in ua:
            return name
    return ""


def describe_client(user_agent: str) -> str:
    """« Firefox sur Windows », « Chrome sur Android », « Safari », « Navigateur inconnu »."""
    browser, system = browser_name(user_agent), system_name(user_agent)
    if browser and system:
        return f"{browser} sur {system}"
    if browser:
        return browser
    if system:
        return f"Navigateur sur {system}"
    return UNKNOWN_BROWSER


def mask_ip(ip) -> str:
    """« 192.168.1.x » for IPv4, the first 48 bits for IPv6 (« 2001:db8:85a3:x:… »)."""
    if not ip:
        return "adresse inconnue"
    try:
        address = ipaddress.ip_address(str(ip))
    except ValueError:
        return "adresse inconnue"
    if address.version == 4:
        return re.sub(r"\.\d+$", ".x", str(address))
    if address.ipv4_mapped:
        return mask_ip(address.ipv4_mapped)
    hextets = address.exploded.split(":")[:3]
    return ":".join(h.lstrip("0") or "0" for h in hextets) + ":x:x:x:x:x"
