"""Every name a new bounded context needs, derived from one and checked."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

_PACKAGE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_AGGREGATE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
# Module names the scaffold itself writes next to the aggregate's module.
_DOMAIN_MODULES = frozenset({"errors", "events", "repository"})
# Root packages already taken in every workspace made from this kit.
_RESERVED = frozenset({"api", "shared_infrastructure", "tests", "tools", "docs"})


class ScaffoldError(ValueError):
    """The context cannot be created as asked; the message says why."""


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[_\-\s]+", name) if word]


def _camel(words: list[str]) -> str:
    return "".join(word[:1].upper() + word[1:] for word in words)


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).lower()


def singular(word: str) -> str:
    """A plain English guess, good enough for a default (``--aggregate`` wins)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def plural(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass(frozen=True)
class ContextNames:
    """The names of one bounded context, e.g. for ``billing --aggregate Invoice``:

    ==================  =================
    package             ``billing``
    distribution        ``billing``
    Context             ``Billing``
    context_title       ``Billing``
    Aggregate           ``Invoice``
    aggregate           ``invoice``
    aggregates          ``invoices``      (unit-of-work attribute, table)
    route / tag         ``invoices``
    ==================  =================
    """

    package: str
    distribution: str
    Context: str
    context_title: str
    Aggregate: str
    aggregate: str
    aggregates: str
    aggregate_words: str
    aggregates_words: str
    table: str
    route: str
    tag: str

    @property
    def directory(self) -> str:
        """The member's directory, relative to the workspace root."""
        return f"packages/{self.distribution}"

    @classmethod
    def derive(
        cls, name: str, *, aggregate: str | None = None, table: str | None = None
    ) -> ContextNames:
        """Names from the context name (``billing``, ``loyalty-points``...),
        the aggregate class name (default: the context name, singular) and
        the table name (default: the aggregate's name, plural)."""
        words = [word.lower() for word in _words(name.strip())]
        package = "_".join(words)
        if not words or not _PACKAGE.match(package):
            raise ScaffoldError(
                f"{name!r} is not a usable context name: use lowercase letters, digits and "
                "'_' or '-' between words, starting with a letter (e.g. 'billing')"
            )
        if keyword.iskeyword(package) or package in sys.stdlib_module_names:
            raise ScaffoldError(f"{package!r} would shadow a Python module; choose another name")
        if package in _RESERVED:
            raise ScaffoldError(f"{package!r} is taken by the workspace itself")
        aggregate_class = aggregate or _camel([*words[:-1], singular(words[-1])])
        if not _AGGREGATE.match(aggregate_class):
            raise ScaffoldError(
                f"{aggregate_class!r} is not a usable aggregate name: use a class name "
                "such as 'Invoice' (a capital letter, then letters and digits)"
            )
        aggregate_snake = _snake(aggregate_class)
        if aggregate_snake in _DOMAIN_MODULES or keyword.iskeyword(aggregate_snake):
            raise ScaffoldError(f"{aggregate_class!r} clashes with a module of the domain layer")
        aggregate_words = aggregate_snake.replace("_", " ")
        snake_words = aggregate_snake.split("_")
        aggregates = "_".join([*snake_words[:-1], plural(snake_words[-1])])
        table_name = table or aggregates
        if not _PACKAGE.match(table_name):
            raise ScaffoldError(f"{table_name!r} is not a usable table name")
        return cls(
            package=package,
            distribution="-".join(words),
            Context=_camel(words),
            context_title=" ".join(words).capitalize(),
            Aggregate=aggregate_class,
            aggregate=aggregate_snake,
            aggregates=aggregates,
            aggregate_words=aggregate_words,
            aggregates_words=aggregates.replace("_", " "),
            table=table_name,
            route=aggregates.replace("_", "-"),
            tag=aggregates.replace("_", "-"),
        )

    def substitutions(self) -> dict[str, str]:
        return {
            "package": self.package,
            "distribution": self.distribution,
            "Context": self.Context,
            "context_title": self.context_title,
            "Aggregate": self.Aggregate,
            "aggregate": self.aggregate,
            "aggregates": self.aggregates,
            "aggregate_words": self.aggregate_words,
            "aggregates_words": self.aggregates_words,
            "table": self.table,
            "route": self.route,
            "tag": self.tag,
        }
