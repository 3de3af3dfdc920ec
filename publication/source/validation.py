"""A source file checked against its JSON Schema, every mistake said in plain words.

`schema_problems` gives one `file:line: where: what` problem per mistake, saying what to
write there from the schema itself (publication.source.schema generates it from the
model): an empty `headline:` is "is empty: write text of at most 120 characters here
(...)", a plain string where a map goes says which keys the map takes, a misspelt key
is one problem ("did you mean 'text'?"), not also a missing one. List items are counted
from 1, as in catalogue contexts.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import jsonschema

from publication.errors import Problem, shown
from publication.source.yamlsource import JsonPath, YamlDocument, path_name


def schema_problems(doc: YamlDocument, schema: dict[str, Any]) -> list[Problem]:
    """Every way `doc` breaks `schema`, as file:line problems in plain words: one per
    mistake (unknown keys one by one; a misspelt key is one problem, not also a missing
    one), saying what to write."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(doc.data))
    misspelt = _misspelt(errors)
    said = {(where, meant) for (where, _), meant in misspelt.items()}
    problems = []
    for error in errors:
        where: JsonPath = tuple(error.absolute_path)
        name = path_name(where)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known):
                meant = misspelt.get((where, key)) or next(iter(difflib.get_close_matches(
                    str(key), sorted(known - set(error.instance)), n=1, cutoff=0.75)), None)
                hint = (f": did you mean '{meant}'?" if meant else
                        f" (known: {', '.join(sorted(known))})")
                problems.append(Problem(doc.path, doc.line_of((*where, key)),
                                        f"{name}: unknown key {shown(key, 40)}{hint}",
                                        "unknown_key"))
            continue
        if error.validator == "required" and (where, _missing(error)) in said:
            continue  # said as the misspelt key
        if error.validator == "required":
            key = _missing(error)
            properties = error.schema.get("properties", {}) \
                if isinstance(error.schema, Mapping) else {}
            wanted = _wanted(properties.get(key, {}))
            # jsonschema's words first: the web app's form knows the field by them.
            todo = wanted if wanted.startswith("give ") else f"add '{key}:' with {wanted}"
            problems.append(Problem(doc.path, doc.line_of(where),
                                    f"{name}: '{key}' is a required property: {todo}",
                                    f"required:{path_name((*where, key))}"))
            continue
        problems.append(Problem(doc.path, doc.line_of(where), f"{name}: {_explain(error)}",
                                _code(error)))
    return sorted(problems, key=lambda p: p.line)


# Problem codes (publication.errors.Problem.code) by the schema keyword a value breaks;
# a missing key is "required:<where>", an empty value "required".
_CODES = {"pattern": "form", "maxLength": "too_long", "minLength": "required",
          "minProperties": "required", "minItems": "required", "maxItems": "too_many",
          "enum": "choice", "format": "form", "minimum": "range", "maximum": "range"}


def _code(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        return "required" if error.instance is None else "type"
    return _CODES.get(str(error.validator), str(error.validator))


def _missing(error: jsonschema.ValidationError) -> str:
    """The key a `required` error is about."""
    return str(error.message.split("'")[1]) if "'" in error.message else ""


def _misspelt(errors: list[jsonschema.ValidationError]) -> dict[tuple[JsonPath, str], str]:
    """(where, unknown key) -> the missing key of the same map it is a misspelling of."""
    missing: dict[JsonPath, list[str]] = {}
    for error in errors:
        if error.validator == "required":
            missing.setdefault(tuple(error.absolute_path), []).append(_missing(error))
    found: dict[tuple[JsonPath, str], str] = {}
    for error in errors:
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict) \
                and isinstance(error.schema, Mapping) and missing.get(where):
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known):
                close = difflib.get_close_matches(str(key), missing[where], n=1, cutoff=0.6)
                if close:
                    found[(where, key)] = close[0]
                    missing[where].remove(close[0])
    return found


def _wanted(schema: Any) -> str:
    """What a value of `schema` is, in words: 'text of at most 120 characters', 'a list
    of items, each on a line starting with "- "', 'one of news, blog'..."""
    if not isinstance(schema, Mapping):
        return "a value"
    help_text = schema.get("description")
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        words = "text"
        if schema.get("format") == "date" or schema.get("pattern") and help_text:
            return help_text or words
        if schema.get("maxLength"):
            words += f" of at most {schema['maxLength']} characters"
        return f"{words} ({help_text})" if help_text else words
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        span = (f" from {low} to {high}" if low is not None and high is not None else
                f" of at least {low}" if low is not None else "")
        return "a whole number" + span
    if kind == "array":
        return "a list, each item on its own line starting with '- '" + (
            f" ({schema['items']['description']})"
            if isinstance(schema.get("items"), Mapping) and "description" in schema["items"]
            else "")
    if kind == "object":
        if help_text:
            return help_text
        required = schema.get("required", [])
        keys = required or list(schema.get("properties", {}))
        if not keys:
            return "a map of keys and values, each on its own line indented below"
        some = "at least one of " if not required else ""
        return (f"{some}{', '.join(k + ':' for k in keys)} on lines of their own, indented "
                "below it")
    return "a value"


def _given(value: Any) -> str:
    """A value as the person wrote it, in words: empty, some text, a list, a map."""
    if value is None:
        return "is empty"
    if isinstance(value, bool):
        return f"is {'yes' if value else 'no'} (true/false)"
    if isinstance(value, str):
        return f"is the text {shown(value, 40)}"
    if isinstance(value, int | float):
        return f"is the number {value}"
    if isinstance(value, list):
        return "is a list"
    return "is a map of keys"


def _explain(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    value = error.instance
    if error.validator == "pattern" and isinstance(value, str):
        form = schema.get("description")
        return f"{shown(value, 60)} is not in the expected form" + (f" ({form})" if form else "")
    if error.validator == "type":
        if schema.get("type") == "object" and schema.get("description"):  # a Help
            return f"{'is empty' if value is None else _given(value)}: {schema['description']}"
        if value is None:
            what, _, more = _wanted(schema).partition(" (")
            return f"is empty: write {what} here" + (f" ({more}" if more else "")
        return f"{_given(value)}, but it must be {_wanted(schema)}"
    if error.validator == "enum":
        return f"{shown(value, 40)} is not allowed here: write {_wanted(schema)}"
    if error.validator == "format" and schema.get("format") == "date":
        return f"{shown(value, 40)} is not a date: write it YYYY-MM-DD (a real date)"
    if error.validator == "maxLength" and isinstance(value, str):
        return (f"too long: {len(value)} characters, at most "
                f"{error.validator_value} fit")
    if error.validator == "minItems" and isinstance(value, list):
        return (f"{'is an empty list' if not value else f'has {len(value)} items'}: give at "
                f"least {error.validator_value}, each on its own line starting with '- '")
    if error.validator == "maxItems" and isinstance(value, list):
        return f"has {len(value)} items; at most {error.validator_value} fit: remove some"
    if error.validator in ("minimum", "maximum"):
        return f"{value} is too {'small' if error.validator == 'minimum' else 'large'}: " \
               f"write {_wanted(schema)}"
    if error.validator == "minProperties" and isinstance(value, dict):
        return f"is empty: {schema['description']}" if schema.get("description") else \
            f"is empty: write {_wanted(schema)}"
    return error.message
