"""Import-linter contract types that find the bounded contexts by themselves.

``importlinter.ini`` names every root package once (``root_packages``; the
graph cannot be built from wildcards). These contract types then treat every
root package that is neither declared ``shared`` nor a ``services`` package
as a bounded context, so adding a context means adding its name to
``root_packages`` and nothing else: its layers, its independence from the
other contexts and its place between the service and the shared
infrastructure are checked from then on (docs/adr/0010).

Four types, registered under ``[importlinter] contract_types``:

``bounded_context_layers``
    The built-in ``layers`` contract with ``containers`` = every context.
``independent_contexts``
    The built-in ``independence`` contract over every context.
``workspace_layers``
    The built-in ``layers`` contract over root packages:
    ``services`` above every context above ``shared``.
``acyclic_root_packages``
    The built-in ``acyclic_siblings`` contract with ``ancestors`` = every root
    package (the wildcard ``*`` would also match third-party packages, which
    the graph squashes and which cannot be descended into).

The first three take ``shared`` and ``services`` (module names); all accept
every option of the built-in type they extend, except the computed one.
(import-linter declares options as class-level ``Field`` objects and stores
the parsed values on the instance under the same name: hence the
``type: ignore[assignment]`` where a computed value is stored.)
"""

from __future__ import annotations

from collections.abc import Iterable

from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import Layer, LayersContract, ModuleTail
from importlinter.domain import fields
from importlinter.domain.contract import InvalidContractOptions
from importlinter.domain.imports import Module, ModuleExpression

__all__ = [
    "AcyclicRootPackagesContract",
    "BoundedContextLayersContract",
    "IndependentContextsContract",
    "WorkspaceLayersContract",
    "bounded_contexts",
]


def _names(root_packages: str | Iterable[str]) -> list[str]:
    roots = [root_packages] if isinstance(root_packages, str) else list(root_packages)
    return [name.strip() for name in roots if name.strip()]


def bounded_contexts(root_packages: str | Iterable[str], not_contexts: Iterable[str]) -> list[str]:
    """Root packages that are bounded contexts: all but ``not_contexts``.

    Raises ``ValueError`` when a name in ``not_contexts`` is not a root
    package (a typo would otherwise turn the shared kernel into a context).
    """
    roots = _names(root_packages)
    excluded = {name.strip() for name in not_contexts}
    unknown = sorted(excluded - set(roots))
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)} must be listed in root_packages to be declared "
            "shared or a service"
        )
    return sorted(name for name in roots if name not in excluded)


class _DiscoversContexts:
    """Options and discovery shared by the three contract types."""

    shared = fields.SetField(subfield=fields.ModuleField())
    services = fields.SetField(subfield=fields.ModuleField())

    session_options: dict[str, object]
    contract_options: dict[str, object]

    def _declared(self, name: str) -> list[str]:
        modules: set[Module] = getattr(self, name)
        return sorted(module.name for module in modules)

    def _contexts(self) -> list[str]:
        roots = self.session_options["root_packages"]
        assert isinstance(roots, str | list)
        try:
            return bounded_contexts(roots, self._declared("shared") + self._declared("services"))
        except ValueError as error:
            raise InvalidContractOptions({"shared/services": str(error)}) from error

    def _refuse_computed(self, option: str) -> None:
        if option in self.contract_options:
            raise InvalidContractOptions(
                {option: "computed from root_packages, shared and services: leave it out"}
            )


class BoundedContextLayersContract(_DiscoversContexts, LayersContract):
    """``layers`` inside every bounded context (containers are computed)."""

    def validate(self) -> None:
        self._refuse_computed("containers")
        containers = [ModuleExpression(name) for name in self._contexts()]
        self.containers = containers  # type: ignore[assignment]
        super().validate()


class IndependentContextsContract(_DiscoversContexts, IndependenceContract):
    """No bounded context imports another one, directly or indirectly."""

    # Computed; declared optional so the built-in "required" check passes.
    modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)

    def validate(self) -> None:
        self._refuse_computed("modules")
        modules = {ModuleExpression(name) for name in self._contexts()}
        self.modules = modules  # type: ignore[assignment]
        super().validate()


class WorkspaceLayersContract(_DiscoversContexts, LayersContract):
    """``services`` above the bounded contexts above ``shared``.

    The contexts form one non-independent layer here: whether they import
    each other is ``independent_contexts``' business, so each rule is
    reported by the contract that states it.
    """

    layers = fields.ListField(subfield=fields.StringField(), required=False)

    def validate(self) -> None:
        self._refuse_computed("layers")
        contexts = self._contexts()
        computed = [
            Layer({ModuleTail(name) for name in self._declared("services")}),
            Layer({ModuleTail(name) for name in contexts}, is_independent=False),
            Layer({ModuleTail(name) for name in self._declared("shared")}),
        ]
        layers = [layer for layer in computed if layer.module_tails]
        self.layers = layers  # type: ignore[assignment]
        super().validate()


class AcyclicRootPackagesContract(AcyclicSiblingsContract):
    """No cycles between siblings anywhere below any root package."""

    ancestors = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)

    def validate(self) -> None:
        if "ancestors" in self.contract_options:
            raise InvalidContractOptions(
                {"ancestors": "computed: every root package; leave it out"}
            )
        roots = self.session_options["root_packages"]
        assert isinstance(roots, str | list)
        ancestors = {ModuleExpression(name) for name in _names(roots)}
        self.ancestors = ancestors  # type: ignore[assignment]
        super().validate()
