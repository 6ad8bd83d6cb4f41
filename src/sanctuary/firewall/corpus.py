"""A labelled corpus for measuring free-text screening: seeded incident narratives, e-mails and jail notes
written the way LA reports and messages are written, every identifier labelled by its character span,
plus the real LAPD arrest rows of ``../shared/data`` turned into report lines (which carry no personal
identifiers: they measure false positives on real charge strings, dates and area names).

The generator draws many formats per identifier (six phone formats, six date formats, A-numbers with and
without dashes, spaces and '#', addresses with and without units, cities and ZIP codes, in any case) and
surrounds them with look-alikes that must not be flagged: incident dates, booking and report numbers,
charge sections, times, street names without numbers.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

FIRST = ["Juan", "Maria", "Jose", "Guadalupe", "Luis", "Ana", "Carlos", "Sofia", "Wei", "Min-jun", "Ji-woo", "Thanh", "Nguyen Van",
         "Armen", "Anahit", "Tigran", "Rosa", "Miguel", "Andrea", "Jasmine", "Michael", "Jennifer", "DeShawn", "Kenji", "Li",
         "Mariam", "Oscar", "Yesenia", "Marco Antonio", "Ricardo"]
LAST = ["Reyes", "Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Chen", "Wang", "Kim", "Park", "Tran", "Nguyen",
        "Petrosyan", "Hakobyan", "Sarkisian", "Flores", "Ramirez", "Cruz", "Santos", "Johnson", "Williams", "Tanaka", "Liu",
        "Gutierrez", "de la Cruz", "Villanueva", "Alvarado", "Ortiz"]
STREETS = ["7th", "Figueroa", "Vermont", "Western", "Alvarado", "Pico", "Olympic", "Santa Monica", "Sunset", "Cesar E Chavez",
           "Whittier", "Soto", "Normandie", "Hoover", "Crenshaw", "Slauson", "Florence", "Manchester", "Van Nuys", "Sepulveda",
           "Roscoe", "Lankershim", "Atlantic", "Pacific Coast", "Main", "Spring", "Los Angeles"]
SUFFIXES = ["St", "St.", "Street", "Ave", "Ave.", "Avenue", "Blvd", "Blvd.", "Boulevard", "Dr", "Drive", "Pl", "Way", "Rd", "Ln"]
CITIES = ["Los Angeles", "Van Nuys", "North Hollywood", "East Los Angeles", "Huntington Park", "Boyle Heights", "Compton",
          "Pasadena", "Glendale", "Inglewood"]
COUNTRIES = ["Mexico", "Guatemala", "El Salvador", "Honduras", "Armenia", "Korea", "Vietnam", "the Philippines", "China", "Iran"]
PLACES = ["Guadalajara, Jalisco", "Oaxaca, Mexico", "San Salvador", "Tegucigalpa, Honduras", "Yerevan, Armenia", "Seoul",
          "Manila", "Guatemala City", "Puebla", "Michoacan, Mexico", "Quezaltenango, Guatemala"]
STATUS = ["undocumented", "in the country illegally", "overstayed his visa", "overstayed her tourist visa", "has no legal status",
          "is a green card holder", "is a DACA recipient", "was previously deported", "has a final removal order",
          "is not a U.S. citizen", "entered without inspection", "is a lawful permanent resident", "is an asylum seeker"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHARGES = ["245(A)(1)PC", "459PC", "11377(A)HS", "23152(A)VC", "273.5(A)PC", "211PC", "10851(A)VC", "422(A)PC"]
AREAS = ["Rampart", "Hollenbeck", "Newton", "77th Street", "Van Nuys", "Southwest", "Central", "Olympic", "Mission", "Harbor"]
# how else narratives mention people: after a verb, at the start of a sentence, by title and surname, by relation
MENTIONS = [("Officers spoke with ", "name", ", who said the suspect fled on foot. "),
            ("", "name", " told officers the suspect had left. "),
            ("Deputy ", "last", " transported the suspect to the station. "),
            ("According to Ms. ", "last", ", the argument began at noon. "),
            ("Her brother, ", "name", ", arrived later. "),
            ("A neighbor, ", "name", ", called 911. "),
            ("The suspect's mother ", "name", " was notified. ")]


@dataclass
class Item:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    source: str = "generated"


class _B:
    """Builds a text and its labels together."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[tuple[int, int, str]] = []

    def t(self, s: str) -> _B:
        self.parts.append(s)
        self.n += len(s)
        return self

    def v(self, s: str, entity: str) -> _B:
        self.spans.append((self.n, self.n + len(s), entity))
        return self.t(s)

    def item(self, source: str = "generated") -> Item:
        return Item("".join(self.parts), self.spans, source)


def _date(rng: random.Random, y0: int, y1: int) -> str:
    y, m, d = rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{MONTHS[m - 1]} {d}, {y}",
                       f"{d} {ABBR[m - 1]} {y}", f"{m}-{d}-{str(y)[2:]}", f"{ABBR[m - 1]}. {d}, {y}"])


def _time(rng: random.Random) -> str:
    h, mi = rng.randint(0, 23), rng.choice([0, 15, 30, 45])
    return rng.choice([f"{(h % 12) or 12}:{mi:02d} {'AM' if h < 12 else 'PM'}", f"{h:02d}{mi:02d} hours", f"{(h % 12) or 12} pm"])


def _phone(rng: random.Random) -> str:
    a, b, c = rng.choice(["213", "323", "310", "818", "626", "562", "747"]), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}", f"{a} {b} {c:04d}",
                       f"1-{a}-{b}-{c:04d}"])


def _anum(rng: random.Random) -> str:
    d = f"{rng.randint(0, 999999999):09d}"
    return rng.choice([f"A{d}", f"A-{d[:3]}-{d[3:6]}-{d[6:]}", f"A{d[:3]}-{d[3:6]}-{d[6:]}", f"A# {d}", f"A {d[:3]} {d[3:6]} {d[6:]}",
                       f"A{d[1:]}"])


def _address(rng: random.Random) -> str:
    num = str(rng.randint(100, 19999))
    street = rng.choice(STREETS)
    d = rng.choice(["", "", "W ", "E ", "N ", "S ", "West ", "North "])
    a = f"{num} {d}{street} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.3:
        a += rng.choice([", Apt 4", " Apt. 12B", ", Unit 3", " #210", ", Suite 100"])
    if rng.random() < 0.5:
        a += f", {rng.choice(CITIES)}"
        if rng.random() < 0.6:
            a += rng.choice([", CA", " CA", ", California"]) + (f" {rng.randint(90001, 91899)}" if rng.random() < 0.7 else "")
    return a.upper() if rng.random() < 0.1 else a


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def narrative(rng: random.Random) -> Item:
    b = _B()
    incident = _date(rng, 2024, 2026)
    b.t(f"On {incident} at {_time(rng)}, officers of the {rng.choice(AREAS)} Division responded to ")
    b.v(_address(rng), "STREET_ADDRESS").t(" regarding a radio call. ")
    b.t("Suspect ").v(_name(rng), "PERSON").t(" (booking no. ").t(str(rng.randint(5000000, 6999999))).t(", DR ")
    b.t(f"{rng.randint(21, 26)}{rng.randint(10, 21):02d}-{rng.randint(10000, 99999)}) was arrested for {rng.choice(CHARGES)}. ")
    if rng.random() < 0.9:
        b.t(rng.choice(["DOB ", "D.O.B. ", "Date of birth: ", "born on ", "DOB: ", "Birthdate "])).v(_date(rng, 1950, 2006), "DATE_OF_BIRTH").t(". ")
    if rng.random() < 0.6:
        b.t(rng.choice(["He was born in ", "She stated she was born in ", "Place of birth: "])).v(rng.choice(PLACES), "PLACE_OF_BIRTH").t(". ")
    if rng.random() < 0.5:
        b.t("During the interview the suspect said he ").v(rng.choice(STATUS), "IMMIGRATION_STATUS").t(". ")
    if rng.random() < 0.7:
        b.t(rng.choice(["Contact phone ", "Cell: ", "His phone number is ", "Reached at "])).v(_phone(rng), "PHONE_NUMBER").t(". ")
    if rng.random() < 0.5:
        b.t(rng.choice(["Witness ", "The victim, "])).v(_name(rng), "PERSON").t(rng.choice([", lives at ", ", resides at "]))
        b.v(_address(rng), "STREET_ADDRESS").t(". ")
    if rng.random() < 0.7:  # a name where no role word announces it, or only a title or a relation does
        before, who, after = rng.choice(MENTIONS)
        b.t(before).v(rng.choice(LAST) if who == "last" else _name(rng), "PERSON").t(after)
    b.t(f"Property was booked at {rng.choice(AREAS)} station under item {rng.randint(1, 40)}. ")
    return b.item("narrative")


def email(rng: random.Random) -> Item:
    b = _B()
    b.t("From: ").v("deportation.officer@ice.dhs.gov", "EMAIL_ADDRESS").t("\nTo: ").v("records@lasd.org", "EMAIL_ADDRESS")
    b.t("\nSubject: Request for information\n\n")
    b.t("Good morning, we are requesting the release date for inmate ").v(_name(rng), "PERSON").t(", ")
    b.t(rng.choice(["A-number ", "alien number ", "A#: ", "A-file "]))
    anum = _anum(rng)
    if anum.startswith(("A", "a")) or True:
        b.v(anum if not anum.startswith("A# ") else anum, "A_NUMBER")
    b.t(rng.choice([", DOB ", ", date of birth ", ", born on "])).v(_date(rng, 1950, 2006), "DATE_OF_BIRTH").t(".\n")
    if rng.random() < 0.6:
        b.t("Our records show the subject ").v(rng.choice(STATUS), "IMMIGRATION_STATUS").t(" and is a citizen of ")
        b.v(rng.choice(COUNTRIES).replace("the ", "") .title() if rng.random() < 0.2 else rng.choice(["Mexico", "Guatemala", "Honduras", "Armenia"]),
            "PLACE_OF_BIRTH").t(".\n")
    if rng.random() < 0.5:
        b.t("Passport number ").v(rng.choice(["G", "E", "N", "P"]) + f"{rng.randint(10000000, 99999999)}", "PASSPORT_NUMBER").t(", ")
        b.t("visa foil number ").v(f"{rng.choice(['', 'A', 'B'])}{rng.randint(1000000, 99999999)}", "VISA_NUMBER").t(", ")
        b.t("I-94 number ").v(f"{rng.randint(100000000, 999999999)}A{rng.randint(0, 9)}" if rng.random() < 0.5
                               else f"{rng.randint(10**10, 10**11 - 1)}", "I94_NUMBER").t(".\n")
    b.t("Please reply to ").v(f"{rng.choice(['j', 'm', 'r'])}.{rng.choice(LAST).lower().replace(' ', '')}@ice.dhs.gov", "EMAIL_ADDRESS")
    b.t(" or call ").v(_phone(rng), "PHONE_NUMBER").t(f". Ref {rng.randint(100000, 999999)}.\n")
    return b.item("email")


def jail_note(rng: random.Random) -> Item:
    b = _B()
    b.t(f"Inmate booked {_date(rng, 2025, 2026)}. ")
    b.t(rng.choice(["Scheduled release ", "Release date: ", "He will be released on ", "Projected out date ", "To be released "]))
    rel = _date(rng, 2026, 2027)
    if rng.random() < 0.6:
        rel += rng.choice([" at ", ", "]) + _time(rng)
    b.v(rel, "RELEASE_DATETIME").t(". ")
    b.t(f"Housing {rng.choice(['MCJ', 'TTCF', 'CRDF', 'NCCF'])} {rng.randint(1000, 9999)}. Next court date {_date(rng, 2026, 2027)}. ")
    if rng.random() < 0.5:
        b.t("Emergency contact ").v(_name(rng), "PERSON").t(" at ").v(_phone(rng), "PHONE_NUMBER").t(". ")
    return b.item("jail-note")


def lapd_rows(shared: Path) -> list[Item]:
    """The real LAPD rows as report lines: no personal identifiers (age, sex and descent codes only)."""
    path = shared / "data" / "lapd_arrests_samples" / "lapd_arrests_combined_sample.csv"
    out = []
    if not path.exists():
        return out
    with path.open(newline="") as fh:
        for r in csv.DictReader(fh):
            desc = r.get("charge_description") or "an offense"
            out.append(Item(f"On {r['arrest_date']}, a {r.get('age') or 'adult'}-year-old ({r.get('sex_code')}) was arrested in "
                            f"{r.get('area_name')} Division for {desc} ({r.get('charge')}); disposition: "
                            f"{r.get('disposition_description') or 'pending'}.", [], "lapd"))
    return out


def build(n: int = 600, seed: int = 22, shared: Path | None = None) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        items.append((narrative, email, jail_note)[i % 3](rng))
    if shared is not None:
        items += lapd_rows(shared)
    return items
