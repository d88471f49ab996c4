"""Catalogue profiles: which record fields are typed facts and what each creator role means, from a DATA file.

A museum's role vocabulary ("Sitter", "Copy after", "Scribe", "Workmaster", ...) and the labels of
its catalogue fields live in ``rag/data/profiles/<name>.json``, not in code. At ingest the
tombstone text ("Title. Artist: Name (dates). Date: 1796. Medium: Oil on canvas. ...") is built
together with its typed facts, each pointing at its exact sentence of that text, so that answering
reads ``{kind, label, value}`` and never parses the tombstone back. A museum that writes the attribution
into the name ("Attributed to Anna Vos", "After Anna Vos": ``name_qualifiers``) or a culture in place of
a maker ("Artist: Flemish": ``culture_makers``) is read from the same file.

Example::

    profile = CatalogueProfile.load()            # the packaged default profile
    text, facts = profile.tombstone(record)
    [(f.kind, f.label, f.value) for f in facts]  # [("maker", "Artist", "Gilbert Stuart"), ("date", "Date", "1796"), ...]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from rag.models import CollectionRecord, Fact
from rag.names import without_parentheses


#: Fact kinds of people, by what the person did for the object.
PERSON_KINDS = (
    "maker",
    "maker_uncertain",
    "maker_culture",
    "former_maker",
    "source_maker",
    "depicted",
    "author",
    "publisher",
    "owner",
    "associated",
)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    return str(value).strip() or None


@dataclass(frozen=True)
class FieldSpec:
    field: str
    label: str
    kind: str


@dataclass(frozen=True)
class NameQualifier:
    """An attribution written before a maker's name ("attributed to", "workshop of", "after")."""

    prefix: str  # lower-cased
    kind: str  # the fact kind it gives the creator
    keep: bool  # whether its words stay in the name an answer shows


class CatalogueProfile:
    """Field labels and role meanings of one catalogue (see the module docstring)."""

    def __init__(
        self,
        fields: list[FieldSpec],
        roles: dict[str, list[str]],
        unknown_names: list[str],
        name: str = "",
        name_qualifiers: list[NameQualifier] | None = None,
        culture_names: Iterable[str] = (),
        regions: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.fields = fields
        self._role_kind = {role.lower(): kind for kind, names in roles.items() for role in names}
        self.unknown_names = tuple(n.lower() for n in unknown_names)
        # the longest first, so "previously attributed to" is not read as "attributed to"
        self.name_qualifiers = sorted(name_qualifiers or [], key=lambda q: -len(q.prefix))
        self.culture_names = frozenset(n.lower() for n in culture_names)
        self.regions = frozenset(r.lower() for r in regions)
        # what the profile makes of a record, as a short hash: a record ingested under another profile is
        # ingested again (its facts may differ)
        self.fingerprint = hashlib.sha256(
            json.dumps([[vars(f) for f in fields], sorted(self._role_kind.items()), self.unknown_names,
                        [vars(q) for q in self.name_qualifiers], sorted(self.culture_names), sorted(self.regions)],
                       ensure_ascii=False).encode("utf-8")
        ).hexdigest()[:16]

    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> "CatalogueProfile":
        """A profile by packaged name (``rag/data/profiles/<name>.json``) or by file path."""
        return _load(str(name_or_path))

    def role_kind(self, role: str | None) -> str:
        """What a creator role means: maker, depicted, source_maker, ... ("associated" when unknown)."""
        key = (role or "").strip().lower()
        if not key:
            return "maker"
        if key in self._role_kind:
            return self._role_kind[key]
        for known, kind in self._role_kind.items():  # "Artist (American, ...)" and the like
            if key.startswith(known + " ") or key.startswith(known + ","):
                return kind
        return "associated"

    def qualified(self, name: str, kind: str) -> tuple[str, str]:
        """A maker's kind and shown name under an attribution written before the name: ("Attributed to Anna Vos",
        "maker") -> ("maker_uncertain", "Anna Vos"); ("Workshop of Anna Vos", "maker") -> ("maker_uncertain",
        "Workshop of Anna Vos"). Other kinds and unqualified names are returned as they are."""
        if kind != "maker":
            return kind, name
        low = name.lower()
        for q in self.name_qualifiers:
            if low.startswith(q.prefix + " ") and len(name) > len(q.prefix) + 1:
                return q.kind, name if q.keep else name[len(q.prefix) :].strip()
        return kind, name

    def creator_kind(self, name: str, role: str | None) -> tuple[str, str]:
        """A creator's fact kind and the name an answer shows, from the role, an attribution before the name, an
        unknown name ("unknown_maker") and a culture given instead of a maker ("maker_culture")."""
        kind, shown = self.qualified(name.strip(), self.role_kind(role))
        if self.is_unknown_name(shown):
            return "unknown_" + kind, shown
        if kind == "maker" and self.is_culture_name(shown):
            return "maker_culture", shown  # the record gives the work as a culture's, naming no maker
        return kind, shown

    def is_culture_name(self, name: str) -> bool:
        """Whether a creator's name is a culture, not a person ("Egyptian", "North Italian", "Venetian ()")."""
        words = without_parentheses(name).replace("?", " ").lower().split()
        while len(words) > 1 and words[0] in self.regions:
            words = words[1:]
        return bool(words) and " ".join(words) in self.culture_names

    def is_unknown_name(self, name: str) -> bool:
        low = name.strip().lower()
        return any(low == u or low.startswith(u + " ") for u in self.unknown_names)

    def tombstone(self, record: CollectionRecord) -> tuple[str, list[Fact]]:
        """The tombstone text and its typed facts (offsets are of each fact's sentence in that text)."""
        parts: list[str] = []
        facts: list[Fact] = []
        pos = 0

        def add(sentence: str, fact: Fact | None) -> None:
            nonlocal pos
            if parts:
                pos += 1  # the joining space
            if fact is not None:
                facts.append(fact.model_copy(update={"start": pos, "end": pos + len(sentence)}))
            parts.append(sentence)
            pos += len(sentence)

        add(record.title.rstrip(".") + ".", None)
        for creator in record.creators:
            if not creator.name:
                continue
            role = (creator.role or "Creator").strip()
            dates = f" ({creator.dates})" if creator.dates else ""
            nationality = f", {creator.nationality}" if creator.nationality else ""
            kind, shown = self.creator_kind(creator.name, creator.role)
            fact = Fact(kind=kind, label=role, value=shown, detail=creator.dates, field="creators")
            add(f"{role}: {creator.name}{dates}{nationality}.", fact)
        for spec in self.fields:
            raw = getattr(record, spec.field, None)
            value = _as_text(raw)
            if not value:
                continue
            value = value.strip().rstrip(".")
            fact = Fact(kind=spec.kind, label=spec.label, value=value, field=spec.field)
            add(f"{spec.label}: {value}.", fact)
        if record.museum:
            add(f"Collection: {record.museum}.", None)
        return " ".join(parts), facts


@lru_cache(maxsize=16)
def _load(name_or_path: str) -> CatalogueProfile:
    path = Path(name_or_path)
    if path.suffix == ".json" and path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
    else:
        resource = resources.files("rag.data").joinpath("profiles", f"{name_or_path}.json")
        if not resource.is_file():
            raise FileNotFoundError(f"no catalogue profile {name_or_path!r} (rag/data/profiles/{name_or_path}.json)")
        data = json.loads(resource.read_text(encoding="utf-8"))
        name = name_or_path
    fields = [FieldSpec(f["field"], f["label"], f["kind"]) for f in data.get("fields", [])]
    qualifiers = [NameQualifier(q["prefix"].strip().lower(), q["kind"], bool(q.get("keep", True)))
                  for q in data.get("name_qualifiers", [])]
    cultures = data.get("culture_makers", {})
    return CatalogueProfile(fields, data.get("roles", {}), data.get("unknown_names", []), name=name,
                            name_qualifiers=qualifiers, culture_names=cultures.get("names", []),
                            regions=cultures.get("regions", []))
