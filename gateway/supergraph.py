"""The supergraph model: graphs, types, keys and fields with their join metadata.

Built once from the supergraph SDL; the planner only ever reads it. Nothing here is done
per request.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    parse,
)
from graphql.language import ListValueNode, ObjectValueNode

from gateway.api_schema import build_api_schema

# Directives whose presence we keep on the model for the authorization issue to enforce.
AUTH_DIRECTIVES = ("authenticated", "requiresScopes", "policy")


class SupergraphError(ValueError):
    """The SDL is not a Federation v2 supergraph we can serve."""


@dataclass(frozen=True)
class Graph:
    """One subgraph: ``enum_value`` as used in join directives, ``name`` and ``url``."""

    enum_value: str
    name: str
    url: str


@dataclass(frozen=True)
class Key:
    """A ``@key`` of an entity in one graph; ``selection`` is the parsed field set."""

    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True)
class ContextArgument:
    """One ``@fromContext`` argument of a field (Federation 2.8), as composed into
    ``@join__field(contextArguments:)``: the argument ``name`` and its ``type`` in the subgraph,
    the ``context`` (a name some ancestor type sets with ``@context``) and the ``selection``
    read on that ancestor (one field, perhaps under type conditions)."""

    name: str
    type: str
    context: str
    selection: SelectionSetNode


def parse_context_selection(text: str) -> SelectionSetNode:
    """``" { currency }"`` or ``"... on A { x } ... on B { y }"`` (what follows ``$ctx``)."""
    text = text.strip()
    return parse_field_set(text[1:-1] if text.startswith("{") else text)


@dataclass(frozen=True)
class FieldJoin:
    """One ``@join__field`` on a field (``graph`` None means: every graph of the type)."""

    graph: str | None
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None  # progressive @override: active only when the label is
    context_arguments: tuple[ContextArgument, ...] = ()  # arguments set from an ancestor (@fromContext)


@dataclass(frozen=True)
class ListSize:
    """A field's ``@listSize`` (IBM GraphQL Cost Directive, composed by Federation 2.9): a list of
    at most ``assumed_size`` items, or as many as the ``slicing_arguments`` ask for; with
    ``sized_fields``, the size bounds those lists of the field's value (a connection's ``edges``)."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()

    @classmethod
    def of(cls, args: dict[str, Any]) -> "ListSize":
        assumed = args.get("assumedSize")
        return cls(int(assumed) if assumed is not None else None, tuple(args.get("slicingArguments") or ()),
                   tuple(args.get("sizedFields") or ()))


@dataclass
class FieldModel:
    """A field of an object/interface type with where it is resolved."""

    name: str
    joins: list[FieldJoin] = field(default_factory=list)
    inaccessible: bool = False
    auth: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    list_size: ListSize | None = None  # @listSize
    weight: int | None = None  # @cost(weight:)

    def join_for(self, graph: str) -> FieldJoin | None:
        """The join of this field in ``graph`` (None when the field has no join there)."""
        for join in self.joins:
            if join.graph == graph:
                return join
        return None


@dataclass
class TypeModel:
    """A named type of the supergraph and the graphs that define it."""

    name: str
    kind: str  # OBJECT, INTERFACE, UNION, ENUM, INPUT_OBJECT, SCALAR
    graphs: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    interface_object_graphs: set[str] = field(default_factory=set)
    fields: dict[str, FieldModel] = field(default_factory=dict)
    implements: dict[str, set[str]] = field(default_factory=dict)  # graph -> interfaces
    union_members: dict[str, set[str]] = field(default_factory=dict)  # graph -> members
    inaccessible: bool = False
    auth: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    contexts: frozenset[str] = frozenset()  # the names this type sets with @context (Federation 2.8)

    def keys_in(self, graph: str, *, resolvable_only: bool = True) -> list[Key]:
        """The keys of this entity in ``graph``."""
        return [k for k in self.keys if k.graph == graph and (k.resolvable or not resolvable_only)]


def parse_field_set(text: str) -> SelectionSetNode:
    """Parse a federation FieldSet (``"id org { id }"``) into a selection set."""
    doc = parse("{" + text + "}", no_location=True)
    return doc.definitions[0].selection_set  # type: ignore[attr-defined]


def _args(directive: DirectiveNode) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arg in directive.arguments or ():
        out[arg.name.value] = _literal(arg.value)
    return out


def _literal(node: Any) -> Any:
    if isinstance(node, (StringValueNode, EnumValueNode)):
        return node.value
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, ListValueNode):
        return [_literal(v) for v in node.values]
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _literal(f.value) for f in node.fields}
    return getattr(node, "value", None)


def _directives(node: Any, name: str) -> list[dict[str, Any]]:
    return [_args(d) for d in (node.directives or ()) if d.name.value == name]


def _has(node: Any, name: str) -> bool:
    return any(d.name.value == name for d in (node.directives or ()))


def _auth(node: Any) -> dict[str, Any]:
    return {name: args for name in AUTH_DIRECTIVES for args in _directives(node, name)}


def _tags(node: Any) -> tuple[str, ...]:
    return tuple(args.get("name", "") for args in _directives(node, "tag"))


def _env_name(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "OBJECT",
    InterfaceTypeDefinitionNode: "INTERFACE",
    UnionTypeDefinitionNode: "UNION",
    EnumTypeDefinitionNode: "ENUM",
    InputObjectTypeDefinitionNode: "INPUT_OBJECT",
    ScalarTypeDefinitionNode: "SCALAR",
}


@dataclass
class Supergraph:
    """The parsed supergraph: graphs, type models and the API schema served to clients."""

    sdl: str
    graphs: dict[str, Graph]
    types: dict[str, TypeModel]
    api_schema: GraphQLSchema
    document: DocumentNode

    @classmethod
    def parse(cls, sdl: str, subgraph_urls: dict[str, str] | None = None,
              environ: dict[str, str] | None = None) -> "Supergraph":
        """Parse a supergraph SDL.

        URLs come from ``join__graph(url:)``; ``subgraph_urls`` (by subgraph name) and then
        ``SIIR_SUBGRAPH_<NAME>_URL`` in ``environ`` (default: the process environment) win.
        """
        document = parse(sdl)
        env = os.environ if environ is None else environ
        urls = subgraph_urls or {}
        graphs: dict[str, Graph] = {}
        types: dict[str, TypeModel] = {}
        for definition in document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph":
                for value in definition.values or ():
                    (args,) = _directives(value, "join__graph") or [{}]
                    name = args.get("name", value.name.value.lower())
                    url = urls.get(name) or env.get(f"SIIR_SUBGRAPH_{_env_name(name)}_URL") or args.get("url", "")
                    graphs[value.name.value] = Graph(value.name.value, name, url)
        if not graphs:
            raise SupergraphError("not a supergraph: no join__Graph enum")
        for definition in document.definitions:
            if not isinstance(definition, TypeDefinitionNode) or isinstance(definition, EnumTypeExtensionNode):
                continue
            name = definition.name.value
            if name.startswith(("join__", "link__")):
                continue
            kind = _KINDS.get(type(definition))
            if kind is None:
                continue
            model = TypeModel(name, kind, inaccessible=_has(definition, "inaccessible"), auth=_auth(definition),
                              tags=_tags(definition),
                              contexts=frozenset(a["name"] for a in _directives(definition, "context") if "name" in a))
            for jt in _directives(definition, "join__type"):
                graph = jt["graph"]
                if graph not in model.graphs:
                    model.graphs.append(graph)
                if jt.get("key"):
                    model.keys.append(Key(graph, jt["key"], parse_field_set(jt["key"]), jt.get("resolvable", True)))
                if jt.get("isInterfaceObject"):
                    model.interface_object_graphs.add(graph)
            for ji in _directives(definition, "join__implements"):
                model.implements.setdefault(ji["graph"], set()).add(ji["interface"])
            for um in _directives(definition, "join__unionMember"):
                model.union_members.setdefault(um["graph"], set()).add(um["member"])
            for fdef in getattr(definition, "fields", None) or ():
                if kind not in ("OBJECT", "INTERFACE"):
                    break
                sizes = _directives(fdef, "listSize")
                costs = _directives(fdef, "cost")
                fm = FieldModel(fdef.name.value, inaccessible=_has(fdef, "inaccessible"), auth=_auth(fdef),
                                tags=_tags(fdef), list_size=ListSize.of(sizes[0]) if sizes else None,
                                weight=int(costs[0]["weight"]) if costs and costs[0].get("weight") is not None else None)
                for jf in _directives(fdef, "join__field"):
                    fm.joins.append(FieldJoin(
                        graph=jf.get("graph"),
                        requires=parse_field_set(jf["requires"]) if jf.get("requires") else None,
                        provides=parse_field_set(jf["provides"]) if jf.get("provides") else None,
                        type=jf.get("type"),
                        external=bool(jf.get("external", False)),
                        override=jf.get("override"),
                        used_overridden=bool(jf.get("usedOverridden", False)),
                        override_label=jf.get("overrideLabel"),
                        context_arguments=tuple(
                            ContextArgument(a["name"], a["type"], a["context"], parse_context_selection(a["selection"]))
                            for a in jf.get("contextArguments") or ()),
                    ))
                model.fields[fm.name] = fm
            types[name] = model
        return cls(sdl, graphs, types, build_api_schema(document), document)

    # -- questions the planner asks -------------------------------------------------------

    @property
    def override_labels(self) -> frozenset[str]:
        """Every progressive @override label of the supergraph."""
        return frozenset(j.override_label for t in self.types.values() for f in t.fields.values()
                         for j in f.joins if j.override_label)

    def field_graphs(self, type_name: str, field_name: str, labels: frozenset[str] = frozenset()) -> list[str]:
        """Graphs that resolve ``type_name.field_name`` themselves (not external/overridden).

        ``labels``: the progressive @override labels in force; a labelled override moves the
        field to its new subgraph only while its label is.
        """
        model = self.types[type_name]
        fm = model.fields.get(field_name)
        if fm is None:
            return []
        if not fm.joins:
            return list(model.graphs)
        if all(j.graph is None for j in fm.joins):
            # A bare @join__field: the field comes from an @interfaceObject of an interface.
            return [g for iface in self.interfaces_of(type_name)
                    for g in self.types[iface].interface_object_graphs
                    if g in self.field_graphs(iface, field_name, labels)]
        return [j.graph for j in fm.joins if j.graph is not None and not j.external and not j.used_overridden
                and (j.override_label is None or (j.override_label in labels) == (j.override is not None))]

    def interfaces_of(self, type_name: str) -> list[str]:
        """Every interface an object type implements in any graph."""
        return sorted({i for ifaces in self.types[type_name].implements.values() for i in ifaces})

    def interface_object_for(self, type_name: str, graph: str) -> str | None:
        """The interface that ``graph`` models as an @interfaceObject for ``type_name``, if any."""
        for iface in self.interfaces_of(type_name):
            if graph in self.types[iface].interface_object_graphs:
                return iface
        return None

    @cached_property
    def planning_schema(self) -> GraphQLSchema:
        """The API schema with its @inaccessible elements: internal key and @requires fields
        may be hidden from clients, the planner still selects them."""
        return build_api_schema(self.document, keep_inaccessible=True)

    @cached_property
    def field_costs(self) -> dict[str, dict[str, FieldModel]]:
        """Fields with ``@listSize`` or ``@cost``, by type and field name (for the cost estimate)."""
        costs: dict[str, dict[str, FieldModel]] = {}
        for t in self.types.values():
            for f in t.fields.values():
                if f.list_size is not None or f.weight is not None:
                    costs.setdefault(t.name, {})[f.name] = f
        return costs

    def field_join(self, type_name: str, field_name: str, graph: str) -> FieldJoin | None:
        """The join__field of a field in a graph, if any."""
        fm = self.types[type_name].fields.get(field_name)
        return fm.join_for(graph) if fm is not None else None

    def type_in_graph(self, type_name: str, graph: str) -> bool:
        """Whether ``graph`` defines the type (as itself or as an @interfaceObject)."""
        model = self.types.get(type_name)
        return model is not None and (graph in model.graphs or not model.graphs)

    def possible_types_in(self, abstract: str, graph: str) -> list[str]:
        """Object types that ``graph`` may return for the abstract type ``abstract``."""
        model = self.types[abstract]
        if model.kind == "UNION":
            members = model.union_members.get(graph)
            if members is None:
                members = {m for ms in model.union_members.values() for m in ms}
            return sorted(m for m in members if self.type_in_graph(m, graph))
        out = []
        for t in self.types.values():
            if t.kind == "OBJECT" and graph in t.graphs and abstract in t.implements.get(graph, ()):
                out.append(t.name)
        return sorted(out)

    def contexts_of(self, type_name: str) -> frozenset[str]:
        """The contexts objects of ``type_name`` set for their descendants: the type's own
        ``@context`` names and those of the interfaces it implements and unions it belongs to."""
        model = self.types[type_name]
        names = set(model.contexts)
        for iface in self.interfaces_of(type_name):
            names |= self.types[iface].contexts
        for union in self.types.values():
            if union.contexts and any(type_name in members for members in union.union_members.values()):
                names |= union.contexts
        return frozenset(names)

    def graphs_of(self, names: Iterable[str]) -> list[Graph]:
        """The Graph records for enum values."""
        return [self.graphs[n] for n in names]
