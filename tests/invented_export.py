"""An invented museum export, as collection systems write them: delimited list fields, years as
text, numbers where texts belong, HTML in descriptions, the odd hostile value.

Every record is invented (names, places, texts); the generator is deterministic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

_MAKERS = ["Ada Brennholt", "Pieter van Loon", "Mariana Solis", "Kenji Arakawa", "Edith Marrow", "Tomasz Wierzba"]
_TYPES = ["Painting", "Print", "Vase", "Chair", "Textile", "Medal", "Photograph", "Clock"]
_MATERIALS = ["oil on canvas", "etching", "glazed earthenware", "walnut and brass", "silk damask", "bronze"]
_PLACES = ["Lowmere", "Castel Ardo", "Vinholm", "Rastova", "Quillan Bay"]
_WORDS = ["harbour", "orchard", "winter", "festival", "lantern", "river", "workshop", "garden", "market", "bells"]


def invented_record(i: int, rng: random.Random) -> dict:
    maker = rng.choice(_MAKERS)
    kind = rng.choice(_TYPES)
    place = rng.choice(_PLACES)
    year = 1600 + (i * 7) % 380
    words = rng.sample(_WORDS, 3)
    record = {
        "id": f"lowmere:{1000 + i}",
        "title": f"{kind} with {words[0]} and {words[1]} no. {i}",
        "museum": "Lowmere Civic Museum",
        "accession_number": f"LCM.{year}.{i}",
        "creators": [{"name": maker, "role": "Maker", "dates": "1590 - 1660"}],
        "date": f"c. {year}",
        "date_begin": year,
        "date_end": year + 5,
        "type": kind,
        "technique": rng.choice(_MATERIALS),
        "place_of_origin": place,
        "description": (
            f"This {kind.lower()} was made by {maker} in {place} around {year}. It shows a {words[0]} "
            f"near a {words[1]}, with a {words[2]} in the distance. The museum acquired it in {1900 + i % 100}."
        ),
        "keywords": [words[0], words[1]],
        "url": f"https://collection.lowmere.example/objects/{1000 + i}",
    }
    # the export's habits, one per record in turn
    habit = i % 10
    if habit == 0:
        record["keywords"] = f"{words[0]}; {words[1]}; {words[2]}"  # delimited string in a list field
    elif habit == 1:
        record["exhibitions"] = f"Spring Salon {year + 40} | Harbour Lights {year + 60}"
    elif habit == 2:
        record["culture"] = "Lowmerian; Ardese"
        record["date_begin"] = str(year)  # a year as text
    elif habit == 3:
        record["date_end"] = float(year + 5)
        record["accession_number"] = year * 10 + i  # a number where a text is usual
    elif habit == 4:
        record["description"] = f"<p>This <b>{kind.lower()}</b> &amp; its frame came from {place}.</p><p>Made in {year}.</p>"
    elif habit == 5:
        record["creators"] = f"{maker}; {rng.choice(_MAKERS)}"  # names in one text
    elif habit == 6:
        record["keywords"] = {"subject": words[0]}  # wrong shape: the field is lost, not the record
        record["dimensions"] = 42.5
    elif habit == 7:
        record["date_begin"] = True  # a boolean year
        record["style"] = ["Baroque", {"note": "late"}]
    elif habit == 8:
        record["image_url"] = "javascript:alert(1)"
        record["title_translations"] = "not an object"
    return record


def write_export(path: Path, count: int = 300, seed: int = 13, first: int = 0) -> Path:
    """``count`` records, ids ``lowmere:{1000 + first}`` onwards."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(first, first + count):
            handle.write(json.dumps(invented_record(i, rng), ensure_ascii=False) + "\n")
    return path
