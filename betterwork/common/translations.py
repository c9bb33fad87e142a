"""Reference data in the reader's language (#10).

The programme's reference data (critical issues, the question bank, self-diagnosis options, the Progress
Report 1 template, differentiation criteria) lives in the database in English, the programme's common
language. Its translations ship with the code, one file per language, `locale/<language>/reference.json`:

    {"assessments.criticalissue:CL-1:title": {"source": "<the English text>", "text": "<the translation>"}}

A translation is shown only while its `source` is still the English in the database and it is not marked
`fuzzy`: when the English changes (a legal age in a question, say), readers see the new English until a
translator updates the entry, never an outdated translation. `manage.py reference_messages` writes the files
from the database, like `makemessages`: new entries get an empty text, changed ones keep their old text marked
fuzzy beside the previous source, and entries nothing needs any more are dropped. A question asked in one
country only is translated into that country's languages (`translation_languages`).

Models opt in with `ReferenceText` (catalogue files) or implement `Translatable.translated` themselves (a course
keeps its titles in its own row); templates and serializers read `obj.tr.<field>`.
"""

import functools
import json
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.utils.translation import get_language

Entries = dict[str, dict[str, Any]]


def active_language(language: str | None = None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "reference.json"


@functools.cache
def catalogue(language: str) -> Entries:
    path = catalogue_path(language)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def translate(key: str, source: str, language: str | None = None) -> str:
    """`source` (English) in `language` (the active one by default) when a current translation exists."""
    language = active_language(language)
    if not source or language == settings.LANGUAGE_CODE:
        return source
    entry = catalogue(language).get(key)
    if entry and entry.get("source") == source and entry.get("text") and not entry.get("fuzzy"):
        return entry["text"]
    return source


class Localized:
    """`obj.tr.title` in templates and serializers: the translated fields of `obj` in the active language."""

    __slots__ = ("_obj",)

    def __init__(self, obj: "Translatable") -> None:
        self._obj = obj

    def __getattr__(self, field: str) -> str:
        if field not in self._obj.translated_fields:
            raise AttributeError(field)
        return self._obj.translated(field)


class Translatable:
    """A model whose `translated_fields` have a version per language."""

    translated_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def tr(self) -> Localized:
        return Localized(self)

    def translated(self, field: str, language: str | None = None) -> str:
        raise NotImplementedError


class ReferenceText(Translatable):
    """Reference data translated by the catalogue files above."""

    def translation_id(self) -> str:
        return str(self.pk)  # type: ignore[attr-defined]

    def translation_key(self, field: str) -> str:
        return f"{self._meta.label_lower}:{self.translation_id()}:{field}"  # type: ignore[attr-defined]

    def translation_languages(self) -> Collection[str] | None:
        """The languages this object needs (None: every language of the platform)."""
        return None

    def translation_sources(self) -> Iterator[tuple[str, str]]:
        """(key, English text) of everything of this object a translator must translate."""
        for field in self.translated_fields:
            if source := getattr(self, field):
                yield self.translation_key(field), source

    def translated(self, field: str, language: str | None = None) -> str:
        return translate(self.translation_key(field), getattr(self, field), language)

    @classmethod
    def translation_objects(cls) -> Iterable["ReferenceText"]:
        return cls._default_manager.all()  # type: ignore[attr-defined]


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def required_entries() -> dict[str, dict[str, str]]:
    """Language → key → English source: what every catalogue must translate, read from the database."""
    wanted: dict[str, dict[str, str]] = {language: {} for language in languages()}
    for model in apps.get_models():
        if not issubclass(model, ReferenceText):
            continue
        for obj in model.translation_objects():
            needed = obj.translation_languages()
            for key, source in obj.translation_sources():
                for language in wanted:
                    if needed is None or language in needed:
                        wanted[language][key] = source
    return wanted


def merged(existing: Entries, wanted: dict[str, str]) -> Entries:
    """The catalogue `existing` brought up to `wanted` (key → source), as `makemessages` merges a .po file."""
    result: Entries = {}
    for key in sorted(wanted):
        source, entry = wanted[key], existing.get(key)
        if entry is None:
            result[key] = {"source": source, "text": ""}
        elif entry.get("source") == source:
            result[key] = entry
        else:
            previous = entry.get("previous_source", entry.get("source"))
            result[key] = {"source": source, "text": entry.get("text", ""), "fuzzy": True, "previous_source": previous}
    return result


def problems(entries: Entries, wanted: dict[str, str]) -> list[str]:
    """What keeps a catalogue from being complete: missing, empty, fuzzy, outdated or unneeded entries."""
    found = []
    for key in sorted(set(wanted) | set(entries)):
        entry = entries.get(key)
        if key not in wanted:
            found.append(f"{key}: not needed any more")
        elif entry is None or not entry.get("text"):
            found.append(f"{key}: not translated")
        elif entry.get("fuzzy") or entry.get("source") != wanted[key]:
            found.append(f"{key}: the English changed, check the translation")
    return found


def write_catalogue(language: str, entries: Entries) -> None:
    path = catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    catalogue.cache_clear()
