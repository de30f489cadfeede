"""The region, the trades and the people the generator draws from."""

from collections.abc import Iterable

from projects.models import Craft

# A targeted area: South LA, Watts, Boyle Heights, East LA, Compton, Inglewood.
TARGETED_ZIPS = [
    "90001", "90002", "90003", "90011", "90016", "90018", "90022", "90023", "90033", "90037",
    "90043", "90044", "90047", "90059", "90061", "90062", "90063", "90220", "90255", "90301",
]  # fmt: skip
# The rest of the region workers commute from, Inland Empire included.
OTHER_ZIPS = [
    "90004", "90005", "90006", "90007", "90008", "90010", "90012", "90013", "90014", "90015",
    "90017", "90019", "90020", "90021", "90024", "90025", "90026", "90027", "90028", "90029",
    "90031", "90032", "90034", "90035", "90036", "90039", "90041", "90042", "90045", "90046",
    "90048", "90049", "90056", "90057", "90064", "90065", "90066", "90201", "90230", "90240",
    "90242", "90250", "90260", "90262", "90280", "90501", "90601", "90650", "90703", "90706",
    "90731", "90744", "90805", "90813", "91101", "91204", "91331", "91342", "91710", "92335",
]  # fmt: skip
# ZIPs inside the City of Los Angeles, for a citywide local-hire rule.
LA_CITY_ZIPS = sorted(
    [z for z in TARGETED_ZIPS + OTHER_ZIPS if "90001" <= z <= "90068"]
    + ["90731", "90744", "91331", "91342"]
)

# Craft: (journeyworker base rate, fringe rate, aliases): LA County scale, 2025.
CRAFT_SCALE = {
    "Carpenter": ("52.50", "36.80", ["Carp"]),
    "Laborer": ("41.20", "30.40", ["Labor"]),
    "Electrician": ("63.10", "40.25", ["Inside Wireman"]),
    "Operating Engineer": ("60.70", "36.95", ["Op Eng"]),
    "Ironworker": ("51.35", "41.10", ["Iron Worker"]),
    "Plumber": ("57.90", "35.60", ["Pipefitter"]),
    "Cement Mason": ("46.80", "32.70", ["Finisher"]),
}
# An apprentice earns a rising share of the journeyworker rate as they advance.
APPRENTICE_PERCENT = {1: "0.60", 2: "0.66", 3: "0.72", 4: "0.80", 5: "0.88"}
# Crews by trade: craft weights.
TRADES = {
    "general": {"Carpenter": 4, "Laborer": 4, "Operating Engineer": 1, "Cement Mason": 1},
    "concrete": {"Cement Mason": 4, "Laborer": 3, "Carpenter": 2},
    "electrical": {"Electrician": 9, "Laborer": 1},
    "excavation": {"Operating Engineer": 5, "Laborer": 4},
    "steel": {"Ironworker": 8, "Laborer": 1},
    "plumbing": {"Plumber": 8, "Laborer": 1},
    "framing": {"Carpenter": 7, "Laborer": 2},
}
ETHNICITIES = [
    ("Hispanic or Latino", 52),
    ("White", 20),
    ("Black or African American", 12),
    ("Asian", 7),
    ("Two or more races", 4),
    ("American Indian or Alaska Native", 1),
    ("Native Hawaiian or Pacific Islander", 1),
    ("", 3),
]
FIRST_NAMES = (
    "Jose Maria Luis Ana Carlos Rosa Juan Guadalupe Miguel Carmen Jesus Elena Marcus Keisha "
    "Darnell Tanya Andre Latoya James Mary Robert Linda Michael Sarah David Karen Kevin Nicole "
    "Minh Linh Hyun Ji Ahmed Fatima Tavita Leilani Oscar Veronica Ricardo Yesenia"
).split()
LAST_NAMES = (
    "Garcia Hernandez Lopez Martinez Gonzalez Rodriguez Perez Sanchez Ramirez Flores Torres "
    "Rivera Gomez Diaz Cruz Reyes Morales Ortiz Johnson Williams Brown Jones Jackson Washington "
    "Robinson Harris Smith Miller Davis Wilson Anderson Nguyen Tran Kim Park Lee Chen Khan "
    "Tuilagi Kahale"
).split()
CONTRACTOR_NAMES = (
    "Alameda Pacific Rancho Sepulveda Figueroa Slauson Vermont Crenshaw Manchester Florence "
    "Normandie Western Imperial Harbor Mission Sunset Olympic Century Arroyo Topanga"
).split()
TRADE_WORDS = {
    "general": "Builders",
    "concrete": "Concrete",
    "electrical": "Electric",
    "excavation": "Grading",
    "steel": "Steel",
    "plumbing": "Plumbing",
    "framing": "Framing",
}


def ensure_crafts(names: Iterable[str] = CRAFT_SCALE) -> dict[str, Craft]:
    """The crafts, created with their aliases when missing (an existing craft is left alone)."""
    crafts = {}
    for name in names:
        crafts[name], _ = Craft.objects.get_or_create(
            name=name, defaults={"aliases": CRAFT_SCALE[name][2]}
        )
    return crafts
