"""A fast yes/no check compiled from a JSON Schema (the subset the article schema uses).

jsonschema's validator walks the schema for every record (about 0.4 ms a record); this compiles
the schema once into nested closures (about 0.1 ms). It only says yes or no: kb.schema asks
jsonschema for the located errors when it says no, and a schema keyword it does not implement
makes ``fast_check`` return None, so jsonschema alone decides. A Hypothesis test checks that
both always agree (tests/test_schema.py).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Callable
from urllib.parse import urljoin

from kb.located import registry
from kb.resources import schema_dir

Check = Callable[[Any], bool]
#: Keywords that never reject a value. "format" is an annotation in Draft 2020-12 unless the
#: validator is given a format checker, and kb gives none.
_IGNORED = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment", "examples", "default",
                      "format"})
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "null": (type(None),),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


class Unsupported(Exception):
    """The schema uses a keyword the fast pre-check does not implement (jsonschema alone decides)."""


def _same(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


class FastCheck:
    """Compile a JSON Schema subset into nested closures answering only "valid or not".

    Used as a pre-check: a record it accepts is valid; anything else goes to the jsonschema
    Draft202012Validator, which stays the authority for what is wrong and where. Keywords outside
    the subset raise Unsupported at compile time, which disables the pre-check altogether.
    """

    def __init__(self, root: dict[str, Any], base: str) -> None:
        self.root = root
        self.base = base
        self.compiled: dict[str, Check] = {}
        self.pending: set[str] = set()

    def ref(self, target: str, document: dict[str, Any], base: str) -> Check:
        """Return the check of a $ref target, compiling it once (recursion looks it up lazily)."""
        key = base + target if target.startswith("#") else urljoin(base, target)
        if key in self.compiled:
            if key in self.pending:  # recursion: look the compiled check up at call time
                return lambda v: self.compiled[key](v)
            return self.compiled[key]
        self.pending.add(key)
        self.compiled[key] = lambda v: True  # placeholder for recursion, replaced below
        if target.startswith("#/"):
            node: Any = document
            for step in target[2:].split("/"):
                node = node[step]
            self.compiled[key] = self.compile(node, document, base)
        else:
            contents = registry().contents(urljoin(base, target))
            self.compiled[key] = self.compile(contents, contents, contents.get("$id", target))
        self.pending.discard(key)
        return self.compiled[key]

    def compile(self, schema: Any, document: dict[str, Any], base: str) -> Check:
        """Return the check of one schema node."""
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _IGNORED or keyword in ("properties", "additionalProperties", "then", "else"):
                continue
            if keyword == "type":
                names = [value] if isinstance(value, str) else value
                # Exact types of what a YAML/JSON loader builds; anything else (an integral float,
                # a dict subclass) fails here and goes to jsonschema, which decides.
                exact = frozenset(t for name in names for t in _PY_TYPES[name])

                def check_type(v: Any, exact: frozenset[type] = exact) -> bool:
                    """Accept a value whose exact type is one the schema names."""
                    return type(v) in exact

                checks.append(check_type)
            elif keyword == "required":
                names = frozenset(value)

                def check_required(v: Any, names: frozenset[str] = names) -> bool:
                    """Accept a non-object, or an object holding every required key."""
                    return not isinstance(v, dict) or v.keys() >= names

                checks.append(check_required)
            elif keyword == "items":
                item = self.compile(value, document, base)

                def check_items(v: Any, item: Check = item) -> bool:
                    """Accept a non-array, or an array whose every item passes."""
                    return not isinstance(v, list) or all(map(item, v))

                checks.append(check_items)
            elif keyword == "enum":
                options = list(value)
                strings = frozenset(o for o in options if type(o) is str)

                def check_enum(v: Any, options: list[Any] = options, strings: frozenset[str] = strings) -> bool:
                    """Accept a value equal to one of the options (a string by set membership)."""
                    if type(v) is str:
                        return v in strings
                    return any(_same(v, o) for o in options)

                checks.append(check_enum)
            elif keyword == "const":

                def check_const(v: Any, c: Any = value) -> bool:
                    """Accept a value equal to the constant."""
                    return _same(v, c)

                checks.append(check_const)
            elif keyword == "pattern":
                regex = re.compile(value)

                def check_pattern(v: Any, rx: re.Pattern[str] = regex) -> bool:
                    """Accept a non-string, or a string the pattern matches."""
                    return not isinstance(v, str) or rx.search(v) is not None

                checks.append(check_pattern)
            elif keyword in ("minimum", "maximum"):
                sign = 1 if keyword == "minimum" else -1

                def check_bound(v: Any, lim: Any = value, sign: int = sign) -> bool:
                    """Accept a non-number (or bool), or a number on the right side of the limit."""
                    return isinstance(v, bool) or not isinstance(v, (int, float)) or sign * (v - lim) >= 0

                checks.append(check_bound)
            elif keyword in ("minLength", "minItems"):
                kind = str if keyword == "minLength" else list

                def check_length(v: Any, n: Any = value, kind: type[str] | type[list[Any]] = kind) -> bool:
                    """Accept a value of another kind, or one at least n long."""
                    return not isinstance(v, kind) or len(v) >= n

                checks.append(check_length)
            elif keyword == "uniqueItems":
                if value:

                    def check_unique(v: Any) -> bool:
                        """Accept a non-array, or an array with no two equal items."""
                        return not isinstance(v, list) or all(
                            not _same(a, b) for i, a in enumerate(v) for b in v[i + 1 :]
                        )

                    checks.append(check_unique)
            elif keyword == "oneOf":
                options_c = [self.compile(option, document, base) for option in value]

                def check_one_of(v: Any, options: list[Check] = options_c) -> bool:
                    """Accept a value exactly one option passes."""
                    return sum(1 for o in options if o(v)) == 1

                checks.append(check_one_of)
            elif keyword == "$ref":
                checks.append(self.ref(value, document, base))
            elif keyword == "if":
                test = self.compile(value, document, base)
                then = self.compile(schema.get("then", True), document, base)
                otherwise = self.compile(schema.get("else", True), document, base)

                def check_if(v: Any, test: Check = test, then: Check = then, otherwise: Check = otherwise) -> bool:
                    """Apply ``then`` to a value the ``if`` schema accepts, ``else`` to the rest."""
                    return then(v) if test(v) else otherwise(v)

                checks.append(check_if)
            else:
                raise Unsupported(keyword)
        if "properties" in schema or "additionalProperties" in schema:
            props = {name: self.compile(sub, document, base) for name, sub in schema.get("properties", {}).items()}
            # additionalProperties: true (any other key), false (none) or a schema every
            # other key's value must pass.
            extra = schema.get("additionalProperties", True)
            other: Check = (lambda v: extra) if extra in (True, False) else self.compile(extra, document, base)

            def check_object(v: Any, props: dict[str, Check] = props, other: Check = other) -> bool:
                """Check the properties of an object, and the other keys against additionalProperties."""
                if not isinstance(v, dict):
                    return True
                for name, value in v.items():
                    test = props.get(name, other)
                    if not test(value):
                        return False
                return True

            checks.append(check_object)
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda v: first(v) and second(v)


        def check_all(v: Any, checks: tuple[Check, ...] = tuple(checks)) -> bool:
            """Accept a value every check passes."""
            for check in checks:
                if not check(v):
                    return False
            return True

        return check_all


@cache
def fast_check(name: str) -> Check | None:
    """Return the compiled yes/no pre-check of a schema, or None when it uses other keywords."""
    schema = json.loads((schema_dir() / name).read_text(encoding="utf-8"))
    compiler = FastCheck(schema, schema.get("$id", name))
    try:
        return compiler.compile(schema, schema, schema.get("$id", name))
    except Exception:  # an optimisation only: any schema it cannot compile goes to jsonschema
        return None
