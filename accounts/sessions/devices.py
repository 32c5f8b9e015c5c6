"""A browser's user agent as a person would name the device: "Chrome on Android"."""

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPad", "iPad"),
    ("iPhone", "iPhone"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, table) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe_device(user_agent: str) -> str:
    browser = _first(user_agent, BROWSERS)
    system = _first(user_agent, SYSTEMS)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
