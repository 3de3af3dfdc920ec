"""A source file's model, declared once: frozen dataclasses whose fields carry markers.

The content of `campaign.yaml` (content.py) and of an imprint file (imprint.py) are
written as dataclasses. A field's type says what its value becomes (a translatable
`Text`, a plain `str`, an `int`, a date, a file in the campaign folder, a tuple, a map,
another dataclass; `X | None` or a default when it may be left out), and `Annotated`
markers say what the file must satisfy (`Str`, `Items`, `Range`, `Keys`) and where the
value sits when that is not simply under the field's name (`At`, `Context`, `ItemKey`).
Everything else is derived from that one declaration:

- `json_schema`: the JSON Schema the file is validated against, so that every mistake is
  reported at once as `file:line: where: what` (`schema_problems`). The
  `*.schema.json` files beside this module are that schema written out for editors and
  people (`python -m publication.source.schema` rewrites them; a test keeps them equal);
- `Reader`: the dataclass instances, from a document that passed the schema, each
  `Text` with its catalogue context (where it sits: `demands.israel.items.2`), its line
  and its translator's note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from publication.errors import Problem, shown
from publication.model import campaign_context
from publication.source.validation import schema_problems as schema_problems
from publication.source.yamlsource import JsonPath, YamlDocument, path_name

T = TypeVar("T")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Text:
    """One translatable unit of content: a catalogue message with its context."""

    context: str
    source: str
    line: int
    plural: str | None = None
    count: int | None = None
    note: str = ""


# -- the markers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Str:
    """What a string in the file must be. `form` says in words what `pattern` asks for;
    messages about the pattern name it."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    form: str = ""
    format: str | None = None
    enum: tuple[str, ...] = ()

    def also(self, **changes: Any) -> Str:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Items:
    """How many items a list has."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Range:
    """The smallest and largest whole number allowed."""

    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Keys:
    """A map's keys: a pattern for a `dict` field's keys (with its `form` in words),
    the keys it must have, how many at least (a dataclass too)."""

    pattern: str | None = None
    form: str = ""
    required: tuple[str, ...] = ()
    min: int | None = None


@dataclass(frozen=True, init=False)
class At:
    """Where the value sits under its object when that is not its field's name:
    `At("news", "items")` is the `items` of a map `news`."""

    keys: tuple[str, ...]

    def __init__(self, *keys: str) -> None:
        object.__setattr__(self, "keys", keys)


@dataclass(frozen=True, init=False)
class Context:
    """The field's part of the catalogue context, in place of the keys it sits at."""

    parts: tuple[str, ...]

    def __init__(self, *parts: str) -> None:
        object.__setattr__(self, "parts", parts)


ID_FORM = ("an id: lower-case letters and digits, words joined by -, such as "
           "black-friday-report; it names the item's messages in every catalogue, so it "
           "stays the same when the text changes or items move")
ID = Str(min_length=1, max_length=60, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", form=ID_FORM)


@dataclass(frozen=True)
class ItemKey:
    """A list whose items are named in contexts by their value of `key`, not by number;
    each item's value must be different. A list of Texts so marked is written as maps:
    the key and `text` (or the key and a Plural's `count`, `one`, `other`)."""

    key: str
    string: Str = ID  # what a Text item's key must be (a dataclass item's own field says)


@dataclass(frozen=True)
class Note:
    """The translator's note of a Text field."""

    text: str


@dataclass(frozen=True)
class Help:
    """What to write for a value, in words for the person editing the file (a map's
    keys, an example file); messages about the value say it."""

    text: str


@dataclass(frozen=True)
class Plural:
    """A Text written as a map: `count`, the singular `one` and the plural `other`."""

    string: Str
    count: Range = Range(minimum=0)


@dataclass(frozen=True)
class Derived:
    """A field the reader is given (`Reader.read(cls, name=value)`), not in the file."""


DERIVED = Derived()


# -- the fields of a dataclass, as the file has them ------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    hint: Any                       # the value's type, its markers taken off
    markers: tuple[object, ...]
    keys: tuple[str, ...]           # where the value sits under its object
    context: tuple[str, ...]        # its part of the catalogue context
    required: bool
    absent: Any                     # the value when the file leaves it out
    derived: bool


@functools.cache
def _fields(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        optional = False
        if get_origin(hint) in (Union, types.UnionType):
            args = [a for a in get_args(hint) if a is not type(None)]
            optional = len(args) < len(get_args(hint))
            if len(args) != 1:
                raise TypeError(f"{cls.__name__}.{field.name}: one type, or it and None")
            hint = args[0]
        base, markers = _unwrap(hint)
        at, context = _find(markers, At), _find(markers, Context)
        keys = at.keys if at else (field.name,)
        has_default = field.default is not dataclasses.MISSING
        found.append(_Field(
            field.name, base, markers, keys, context.parts if context else keys,
            required=not (optional or has_default), derived=DERIVED in markers,
            absent=field.default if has_default else None))
    return tuple(found)


def _unwrap(hint: Any) -> tuple[Any, tuple[object, ...]]:
    if get_origin(hint) is Annotated:
        return hint.__origin__, tuple(hint.__metadata__)
    return hint, ()


M = TypeVar("M")


def _find(markers: tuple[object, ...], kind: type[M]) -> M | None:
    return next((m for m in markers if isinstance(m, kind)), None)


# -- the JSON Schema --------------------------------------------------------------------


def json_schema(cls: type, *, title: str, description: str = "") -> dict[str, Any]:
    """The JSON Schema of a file whose model is the dataclass `cls`."""
    head: dict[str, Any] = {"$schema": DRAFT, "title": title}
    if description:
        head["description"] = description
    return {**head, **_value_schema(cls, ())}


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema as its `*.schema.json` file has it."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _value_schema(hint: Any, markers: tuple[object, ...]) -> dict[str, Any]:
    plural = _find(markers, Plural)
    if plural is not None:
        string = _string_schema(plural.string)
        return {"type": "object", "additionalProperties": False,
                "required": ["count", "one", "other"],
                "properties": {"count": _integer_schema(plural.count),
                               "one": string, "other": string}}
    origin = get_origin(hint)
    if origin is tuple:
        item, *rest = get_args(hint)
        if rest != [Ellipsis]:
            raise TypeError(f"{hint}: only tuple[X, ...] is a list")
        items = _find(markers, Items) or Items()
        schema: dict[str, Any] = {"type": "array"}
        if items.min is not None:
            schema["minItems"] = items.min
        if items.max is not None:
            schema["maxItems"] = items.max
        named = _find(markers, ItemKey)
        item_hint, item_markers = _unwrap(item)
        schema["items"] = (_keyed_text_schema(item_markers, named)
                           if named is not None and item_hint is Text
                           else _value_schema(item_hint, item_markers))
        return schema
    if origin is dict:
        _, value = get_args(hint)
        keys = _find(markers, Keys) or Keys()
        schema = {"type": "object"}
        if keys.required:
            schema["required"] = list(keys.required)
        if keys.pattern:
            schema["propertyNames"] = _string_schema(Str(pattern=keys.pattern, form=keys.form),
                                                     typed=False)
        schema["additionalProperties"] = _value_schema(*_unwrap(value))
        return schema
    if hint in (str, Text, dt.date, Path):  # Text first: it is a dataclass too
        schema = _string_schema(_find(markers, Str) or Str())
        note = _find(markers, Note)
        if note is not None and "description" not in schema:
            schema["description"] = note.text
        return schema
    if hint is int:
        return _integer_schema(_find(markers, Range) or Range())
    if dataclasses.is_dataclass(hint):
        schema = _object_schema(typing.cast(type, hint), _find(markers, Keys))
        helped = _find(markers, Help)
        return {"description": helped.text, **schema} if helped else schema
    raise TypeError(f"{hint}: not a type a source file can hold")


def _keyed_text_schema(markers: tuple[object, ...], named: ItemKey) -> dict[str, Any]:
    """A Text list item written as a map: its key (an id), then the text (`text`, or a
    Plural's own keys)."""
    inner = _value_schema(Text, markers)
    key = _string_schema(named.string)
    if inner.get("type") == "object":  # a Plural: count, one, other
        return {**inner, "required": [named.key, *inner["required"]],
                "properties": {named.key: key, **inner["properties"]}}
    return {"type": "object", "additionalProperties": False,
            "description": f"an item written as `- {named.key}: a-name` with its text "
                           "under `text:`",
            "required": [named.key, "text"], "properties": {named.key: key, "text": inner}}


def _object_schema(cls: type, keys: Keys | None) -> dict[str, Any]:
    """A map with the dataclass's fields as keys; fields `At` deeper keys make inner maps."""
    root = _Map()
    for field in _fields(cls):
        if field.derived:
            continue
        node = root
        for key in field.keys[:-1]:
            inner = node.properties.setdefault(key, _Map())
            if not isinstance(inner, _Map):
                raise TypeError(f"{cls.__name__}.{field.name}: {key} is a value already")
            if field.required and key not in node.required:
                node.required.append(key)
            node = inner
        node.properties[field.keys[-1]] = _value_schema(field.hint, field.markers)
        if field.required:
            node.required.append(field.keys[-1])
    return root.schema(keys.min if keys else None)


@dataclass
class _Map:
    """A map in the file: its required keys and what each holds, in the fields' order."""

    required: list[str] = dataclasses.field(default_factory=list)
    properties: dict[str, _Map | dict[str, Any]] = dataclasses.field(default_factory=dict)

    def schema(self, least: int | None = None) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
        if self.required:
            schema["required"] = self.required
        if least is not None:
            schema["minProperties"] = least
        schema["properties"] = {key: value.schema() if isinstance(value, _Map) else value
                                for key, value in self.properties.items()}
        return schema


def _string_schema(spec: Str, typed: bool = True) -> dict[str, Any]:
    if spec.enum:
        return {"enum": list(spec.enum)}
    schema: dict[str, Any] = {"type": "string"} if typed else {}
    for key, value in (("minLength", spec.min_length), ("maxLength", spec.max_length),
                       ("format", spec.format), ("pattern", spec.pattern)):
        if value is not None:
            schema[key] = value
    if spec.form:
        schema["description"] = spec.form
    return schema


def _integer_schema(spec: Range) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


# -- the dataclasses from a document that passed the schema ------------------------------


_ABSENT = object()


class Reader:
    """Reads a validated document into its model's dataclasses. Files (`Path` fields) are
    looked for in `folder`; one that is not there is a problem in `problems`."""

    def __init__(self, doc: YamlDocument, folder: Path | None = None, *,
                 by_position: bool = False, campaign: str | None = None) -> None:
        self.doc = doc
        self.folder = folder
        # The campaign the Texts' contexts name (model.campaign_context); None: the place only.
        self.campaign = campaign
        # The contexts as they were before lists had ids (`background.2`): what a
        # migration of old catalogues maps from (tools/migrate_ids.py).
        self.by_position = by_position
        self.problems: list[Problem] = []

    def read(self, cls: type[T], **given: Any) -> T:
        """The file as a `cls`; `given`: the values of its DERIVED fields."""
        return self._object(cls, self.doc.data, (), (), given)

    def _object(self, cls: type[T], data: Any, where: JsonPath, context: tuple[str, ...],
                given: Mapping[str, Any] | None = None) -> T:
        values: dict[str, Any] = {}
        for field in _fields(typing.cast(type, cls)):
            if field.derived:
                values[field.name] = (given or {})[field.name]
                continue
            value = data
            for key in field.keys:
                value = value.get(key, _ABSENT) if isinstance(value, dict) else _ABSENT
            values[field.name] = field.absent if value is _ABSENT else self._value(
                field.hint, field.markers, value, (*where, *field.keys),
                (*context, *field.context))
        return cls(**values)

    def _value(self, hint: Any, markers: tuple[object, ...], value: Any, where: JsonPath,
               context: tuple[str, ...]) -> Any:
        if hint is Text:
            place = ".".join(context)
            return self._text(markers, value, where, place if self.campaign is None
                              else campaign_context(self.campaign, place))
        origin = get_origin(hint)
        if origin is tuple:
            item, markers_of_item = _unwrap(get_args(hint)[0])
            named = _find(markers, ItemKey)
            if named is not None:
                self._unique(named.key, value, where)
            values = []
            for index, element in enumerate(value):
                name = str(index + 1) if named is None or (
                    self.by_position and named.key == "id") else str(element[named.key])
                if item is Text and named is not None and _find(markers_of_item, Plural) is None:
                    element, at = element["text"], (*where, index, "text")
                else:
                    at = (*where, index)
                values.append(self._value(item, markers_of_item, element, at, (*context, name)))
            return tuple(values)
        if origin is dict:
            return dict(value)
        if dataclasses.is_dataclass(hint):
            return self._object(typing.cast(type, hint), value, where, context)
        if hint is int:
            return int(value)
        if hint is dt.date:
            return dt.date.fromisoformat(value)
        if hint is Path:
            return self._file(value, where)
        return value

    def _unique(self, key: str, items: list[Any], where: JsonPath) -> None:
        """A problem for each item whose `key` an earlier item of the list has already."""
        first: dict[str, int] = {}
        for index, element in enumerate(items):
            name = str(element[key])
            if name in first:
                earlier = first[name]
                self.problems.append(Problem(
                    self.doc.path, self.doc.line_of((*where, index, key)),
                    f"{path_name((*where, index, key))}: {shown(name)} is already the {key} of "
                    f"{path_name((*where, earlier))} (line "
                    f"{self.doc.line_of((*where, earlier, key))}); give each item its own"))
            else:
                first[name] = index

    def _text(self, markers: tuple[object, ...], value: Any, where: JsonPath,
              context: str) -> Text:
        note = _find(markers, Note)
        if _find(markers, Plural) is not None:
            return Text(context, _folded(value["one"]), self.doc.line_of((*where, "one")),
                        plural=_folded(value["other"]), count=int(value["count"]),
                        note=note.text if note else "")
        return Text(context, _folded(value), self.doc.line_of(where),
                    note=note.text if note else "")

    def _file(self, value: str, where: JsonPath) -> Path:
        if self.folder is None:
            raise TypeError("a model with files is read with the folder they are in")
        path = (self.folder / value).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            self.problems.append(Problem(self.doc.path, self.doc.line_of(where),
                                         f"{path_name(where)}: {shown(value)} is not a file in "
                                         f"{self.folder.name}/"))
        return path


def _folded(value: Any) -> str:
    """A text as shown: folded YAML, one space between words."""
    return " ".join(str(value).split())


def schema_files() -> dict[Path, dict[str, Any]]:
    """The `*.schema.json` files beside this module and the schema each must hold."""
    from publication.source.content import campaign_schema
    from publication.source.imprint import imprint_schema

    here = Path(__file__).parent
    return {here / "campaign.schema.json": campaign_schema(),
            here / "imprint.schema.json": imprint_schema()}


if __name__ == "__main__":
    for path, schema in schema_files().items():
        path.write_text(schema_text(schema), encoding="utf-8")
        print(f"wrote {path}")
