"""Stage 2: the fetch graph of a normalised operation over the supergraph.

Fields stay in the fetch of the current subgraph when it can resolve them (which is also how
``@shareable`` and ``@provides`` save hops); other fields jump through ``_entities`` to a
subgraph that owns them, adding the key (and ``@requires``) fields to the parent fetch.
Abstract selections are expanded per possible type of the subgraph so each type can be routed
on its own. Each node of the graph is one subgraph, one merge path and its dependencies; the
optimiser (stage 3) orders and merges them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
)
from graphql.language import Visitor, visit

from gateway.planning.errors import PlanningError
from gateway.planning.selection import Selection, print_arguments, print_directives
from gateway.supergraph import ContextArgument, FieldJoin, Supergraph

Conditions = tuple[DirectiveNode, ...]
Collected = dict[tuple[str, str], list[FieldNode]]  # (response key, printed conditions) → nodes


@dataclass(frozen=True)
class PlannedContext:
    """A ``@fromContext`` argument of an entity fetch: ``$variable`` (of the subgraph's
    ``type``) takes, per entity, the value of the first source that holds: (depth of the
    ancestor on the entity's path, the object types there that set the context, the context's
    selection as selected there under its own aliases)."""

    variable: str
    type: str
    sources: tuple[tuple[int, frozenset[str], SelectionSetNode], ...]


class FetchNode:
    """A fetch being assembled: one subgraph, one merge path (``()`` for a root fetch)."""

    def __init__(self, node_id: int, graph: str, path: tuple[str, ...], entity: bool) -> None:
        self.id = node_id
        self.graph = graph
        self.path = path
        self.entity = entity
        self.selection = Selection(route=None if entity else ())
        self.variables: set[str] = set()
        self.deps: set[FetchNode] = set()
        # (graph, path, variant) → entity fetch; variants keep conflicting @requires apart
        self.children: dict[tuple[str, tuple[str, ...], int], FetchNode] = {}
        self.rep: dict[str, list[SelectionSetNode]] = {}  # object type → key and @requires field sets
        self.rep_typename: dict[str, str] = {}  # object type → __typename sent (an @interfaceObject's)
        # object type → field-name path in the key/@requires field set → response key to read
        self.rep_alias: dict[str, dict[tuple[str, ...], str]] = {}
        self.required: set[tuple[str, str]] = set()
        # (type, field) → (argument, variable) of its @fromContext arguments; their values
        self.context_args: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.contexts: list[PlannedContext] = []


class FetchGraph:
    """The nodes of one operation's plan, in creation order."""

    def __init__(self, kind: str, operation: OperationDefinitionNode, nodes: list[FetchNode],
                 objects_of: Callable[[str], frozenset[str]]) -> None:
        self.kind = kind
        self.operation = operation
        self.nodes = nodes
        self.objects_of = objects_of  # the object types a type condition holds for


def list_depth(gql_type: object) -> int:
    """How many list levels wrap a type (each one a ``"@"`` step in merge paths)."""
    depth = 0
    while isinstance(gql_type, (GraphQLNonNull, GraphQLList)):
        if isinstance(gql_type, GraphQLList):
            depth += 1
        gql_type = gql_type.of_type
    return depth


def provided_tree(selection: SelectionSetNode | None) -> dict[str, dict] | None:
    """``@provides`` field set → nested dict of field names; the fields of an inline fragment
    sit under ``"... on <Type>"`` (see ``provided_for``), so a field provided for one possible
    type of an abstract field is not taken as provided for the others."""
    if selection is None:
        return None
    out: dict[str, dict] = {}
    for node in selection.selections:
        if isinstance(node, FieldNode):
            out[node.name.value] = provided_tree(node.selection_set) or {}
        elif isinstance(node, InlineFragmentNode):
            inner = provided_tree(node.selection_set) or {}
            if node.type_condition is None:
                out.update(inner)
            else:
                key = f"... on {node.type_condition.name.value}"
                out[key] = {**out.get(key, {}), **inner}
    return out


def provided_for(provided: dict | None, type_name: str, applies: Callable[[str, str], bool]) -> dict | None:
    """The part of a provided tree that holds on an object of ``type_name``: its plain fields
    and those of every fragment whose type condition ``applies`` to that type."""
    if provided is None:
        return None
    out: dict[str, dict] = {}
    for key, sub in provided.items():
        if not key.startswith("... on "):
            out[key] = {**out.get(key, {}), **sub}
    for key, sub in provided.items():
        if key.startswith("... on ") and applies(key[7:], type_name):
            for name, inner in (provided_for(sub, type_name, applies) or {}).items():
                out[name] = {**out.get(name, {}), **inner}
    return out


class _VarCollector(Visitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)


def _record_variables(nodes: Iterable[ArgumentNode | DirectiveNode], into: set[str]) -> None:
    for node in nodes:
        visit(node, _VarCollector(into))


def _conditions(node: FieldNode | InlineFragmentNode) -> Conditions:
    return tuple(d for d in node.directives or () if d.name.value in ("skip", "include"))


class FetchGraphBuilder:
    """Builds the fetch graph of one normalised operation (see the module's docstring)."""

    def __init__(self, supergraph: Supergraph, operation: OperationDefinitionNode, labels: frozenset[str],
                 memo: "Memo | None" = None) -> None:
        self.sg = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema
        self.labels = labels
        self.operation = operation
        self.nodes: list[FetchNode] = []
        self.resolving: set[tuple[str, tuple[str, ...], str]] = set()
        self.condition_nodes: dict[str, Conditions] = {"": ()}
        self.roots: dict[str, FetchNode] = {}  # root fetch of each subgraph (queries)
        memo = memo if memo is not None else Memo()
        self._graphs = memo.graphs
        # (entity fetch, type, field) → the fetch of its own a @requires chain moved it to
        self.moved: dict[tuple[int, str, str], FetchNode] = {}
        self._types = memo.types
        # response path → (fetch, selection, type) where objects there were first selected:
        # where a @fromContext argument's ancestor gets the context's selection added
        self.places: dict[tuple[str, ...], list[tuple[FetchNode, Selection, str]]] = {}
        self.client_variables = {vd.variable.name.value for vd in operation.variable_definitions or ()}

    def _field_graphs(self, type_name: str, field_name: str) -> list[str]:
        """``Supergraph.field_graphs`` for this operation's override labels, memoised."""
        key = (type_name, field_name)
        graphs = self._graphs.get(key)
        if graphs is None:
            graphs = self._graphs[key] = self.sg.field_graphs(type_name, field_name, self.labels)
        return graphs

    def _new_node(self, graph: str, path: tuple[str, ...], entity: bool) -> FetchNode:
        node = FetchNode(len(self.nodes), graph, path, entity)
        self.nodes.append(node)
        return node

    # -- entry ---------------------------------------------------------------------------

    def build(self) -> FetchGraph:
        kind = self.operation.operation.value
        root_type = self.schema.get_root_type(self.operation.operation)
        assert root_type is not None
        fields = self._collect([self.operation.selection_set], root_type.name)
        roots = self.roots
        previous: FetchNode | None = None
        for (rkey, conds), nodes in fields.items():
            name = nodes[0].name.value
            if name.startswith("__"):
                continue  # __typename, __schema, __type: answered from the API schema
            graphs = self._field_graphs(root_type.name, name)
            if not graphs:
                raise PlanningError(f"no subgraph resolves {root_type.name}.{name}")
            if kind == "mutation":
                # Strictly in order: a new fetch whenever the subgraph changes, after all before it.
                if previous is not None and previous.graph in graphs:
                    node = previous
                else:
                    node = self._new_node(self._best_graph(graphs, root_type.name, nodes), (), False)
                    node.deps.update(self.nodes[:-1])
                previous = node
            else:
                graph = next((g for g in graphs if g in roots), None) or self._best_graph(graphs, root_type.name, nodes)
                node = roots.get(graph) or roots.setdefault(graph, self._new_node(graph, (), False))
            self._plan_fields(node, node.selection, root_type.name, {(rkey, conds): nodes}, (), None, [], False)
        return FetchGraph(kind, self.operation, self.nodes, self._objects_of)

    def _best_graph(self, graphs: list[str], type_name: str, nodes: list[FieldNode]) -> str:
        """Among graphs resolving a field, the one resolving most of its sub-selection itself
        (its own fields and those its ``@provides`` covers, per possible type when abstract)."""
        if len(graphs) == 1:
            return graphs[0]
        field_def = self.schema.get_type(type_name).fields[nodes[0].name.value]  # type: ignore[union-attr]
        child = get_named_type(field_def.type)
        subs = [n.selection_set for n in nodes if n.selection_set]
        if not subs:
            return graphs[0]

        def score(graph: str) -> int:
            join = self.sg.field_join(type_name, nodes[0].name.value, graph)
            provided = provided_tree(join.provides) if join is not None else None
            objects = ([o.name for o in self.schema.get_possible_types(child)  # type: ignore[arg-type]
                        if o.name in set(self.sg.possible_types_in(child.name, graph))]
                       if is_abstract_type(child) else [child.name])
            return sum(1 for obj in objects for ns in self._collect(subs, obj).values()
                       if ns[0].name.value == "__typename"
                       or self._local(obj, ns[0].name.value, graph, provided_for(provided, obj, self._applies), False))
        return max(graphs, key=score)

    # -- field collection ----------------------------------------------------------------

    def _collect(self, selection_sets: list[SelectionSetNode], type_name: str, conds: str = "") -> Collected:
        """Fields that apply to the object type ``type_name``, grouped by response key and the
        ``@skip``/``@include`` of the fragments they sit in."""
        out: Collected = {}
        for selection_set in selection_sets:
            self._collect_into(out, selection_set, type_name, conds)
        return out

    def _collect_into(self, out: Collected, selection_set: SelectionSetNode, type_name: str, conds: str) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                rkey = node.alias.value if node.alias else node.name.value
                out.setdefault((rkey, conds), []).append(node)
                continue
            assert isinstance(node, InlineFragmentNode), "fragment spreads are inlined by normalise()"
            cond = node.type_condition.name.value if node.type_condition else None
            if cond is not None and cond != type_name:
                cond_type = self.schema.get_type(cond)
                obj_type = self.schema.get_type(type_name)
                if not (is_abstract_type(cond_type) and obj_type is not None
                        and self.schema.is_sub_type(cond_type, obj_type)):  # type: ignore[arg-type]
                    continue
            own = _conditions(node)
            inner = conds
            if own:
                inner = conds + print_directives(own)
                self.condition_nodes.setdefault(inner, self.condition_nodes[conds] + own)
            self._collect_into(out, node.selection_set, type_name, inner)

    def _target(self, fetch: FetchNode, selection: Selection, conds: str) -> Selection:
        """Where a field goes: ``selection`` itself, or an inline fragment carrying the
        ``@skip``/``@include`` of the client's fragments around it."""
        if not conds:
            return selection
        directives = self.condition_nodes[conds]
        _record_variables(directives, fetch.variables)
        return selection.fragment(None, directives)

    def _field_directives(self, node: FieldNode, fetch: FetchNode) -> Conditions:
        directives = _conditions(node)
        _record_variables(directives, fetch.variables)
        return directives

    def _arguments(self, node: FieldNode, fetch: FetchNode) -> tuple[ArgumentNode, ...]:
        _record_variables(node.arguments or (), fetch.variables)
        return tuple(node.arguments or ())

    # -- routing -------------------------------------------------------------------------

    def _local(self, type_name: str, field_name: str, graph: str, provided: dict | None, entity_root: bool) -> bool:
        """Whether ``graph`` resolves the field in the fetch that reached this object."""
        if provided is not None and field_name in provided:
            return True
        if graph not in self._field_graphs(type_name, field_name):
            return False
        join = self.sg.field_join(type_name, field_name, graph)
        # A @requires field only resolves through _entities, with the required fields sent; so
        # does a field with @fromContext arguments, with its ancestors' values as variables.
        return not (join is not None and (join.requires is not None or join.context_arguments) and not entity_root)

    def _objects_of(self, condition: str) -> frozenset[str]:
        """The object types a type condition holds for (hidden ones too: a @requires may name them)."""
        gql_type = self.sg.planning_schema.get_type(condition)
        if is_abstract_type(gql_type):
            return frozenset(t.name for t in self.sg.planning_schema.get_possible_types(gql_type))  # type: ignore[arg-type]
        return frozenset((condition,))

    def _applies(self, condition: str, type_name: str) -> bool:
        """Whether a fragment on ``condition`` applies to objects of ``type_name``."""
        if condition == type_name:
            return True
        cond_type, obj_type = self.schema.get_type(condition), self.schema.get_type(type_name)
        return (is_abstract_type(cond_type) and obj_type is not None
                and self.schema.is_sub_type(cond_type, obj_type))  # type: ignore[arg-type]

    def _plan_selection(self, fetch: FetchNode, sel: Selection, type_name: str, subs: list[SelectionSetNode],
                        path: tuple[str, ...], provided: dict | None, touched: list[FetchNode],
                        exclude: frozenset[str] = frozenset()) -> None:
        """Plan a selection on ``type_name`` in ``fetch`` (``exclude``: response keys already fetched)."""
        places = self.places.setdefault(path, [])
        if not any(t == type_name for _, _, t in places):
            places.append((fetch, sel, type_name))
        gql_type = self.schema.get_type(type_name)
        if not is_abstract_type(gql_type):
            fields = {k: v for k, v in self._collect(subs, type_name).items() if k[0] not in exclude}
            self._plan_fields(fetch, sel, type_name, fields, path, provided_for(provided, type_name, self._applies),
                              touched, False)
            return
        if fetch.graph in self.sg.types[type_name].interface_object_graphs:
            self._plan_interface_object(fetch, sel, type_name, subs, path, provided, touched)
            return
        sel.field("__typename", "__typename", type_="String!")
        in_graph = set(self.sg.possible_types_in(type_name, fetch.graph))
        branches = []
        for obj in self.schema.get_possible_types(gql_type):  # type: ignore[arg-type]
            if obj.name not in in_graph:
                continue  # this subgraph never returns that type here
            fields = {k: v for k, v in self._collect(subs, obj.name).items() if k[0] not in exclude}
            branches.append((obj, fields))
            # Key fields added to one branch must not clash with the client's in another.
            for (rkey, _), ns in fields.items():
                name = ns[0].name.value
                sel.reserve(rkey, (name, print_arguments(ns[0].arguments), self._type_in(obj.name, name, fetch.graph)))
        for obj, fields in branches:
            if any(ns[0].name.value != "__typename" for ns in fields.values()):
                frag = self._anchor(sel.fragment(obj.name), obj.name, path)
                self._plan_fields(fetch, frag, obj.name, fields, path, provided_for(provided, obj.name, self._applies),
                                  touched, False)
            else:
                for (rkey, conds), ns in fields.items():
                    self._target(fetch, sel, conds).field(rkey, "__typename", (), self._field_directives(ns[0], fetch),
                                                          type_="String!")

    def _plan_interface_object(self, fetch: FetchNode, sel: Selection, iface: str, subs: list[SelectionSetNode],
                               path: tuple[str, ...], provided: dict | None, touched: list[FetchNode]) -> None:
        """An interface returned by a subgraph that models it as an @interfaceObject.

        That subgraph answers ``__typename: "<Interface>"``: the fields it owns come from it,
        then an entity fetch to a subgraph defining the interface for real gives the concrete
        ``__typename`` and everything else, planned per possible type from there.
        """
        model = self.sg.types[iface]
        provided = provided_for(provided, iface, self._applies)
        local = {k: ns for k, ns in self._collect(subs, iface).items()
                 if ns[0].name.value != "__typename" and self._local(iface, ns[0].name.value, fetch.graph, provided, False)}
        self._plan_fields(fetch, sel, iface, local, path, provided, touched, False)
        sel.field("__typename", "__typename")
        done = frozenset(rkey for rkey, _ in local)
        if not any(rkey not in done for obj in self.schema.get_possible_types(self.schema.get_type(iface))  # type: ignore[arg-type]
                   for rkey, _ in self._collect(subs, obj.name)):
            return  # the concrete type is looked up only when the selection needs it
        origins = [g for g in model.graphs if g not in model.interface_object_graphs and model.keys_in(g)]
        if not origins:
            raise PlanningError(f"no subgraph can tell the concrete type of {iface} objects from {fetch.graph}")
        graph = next((g for g in origins if (g, path, 0) in fetch.children), origins[0])
        dep = self._child(fetch, graph, path, touched)
        if iface not in dep.rep:
            key = model.keys_in(graph)[0]
            inner: list[FetchNode] = []
            aliases = dep.rep_alias.setdefault(iface, {})
            self._plan_fields(fetch, sel, iface, self._internal(key.selection, iface, local, aliases, sel, fetch.graph),
                              path, provided, inner, False)
            dep.deps.update(g for g in inner if g is not dep)
            dep.rep[iface] = [key.selection]
            dep.rep_typename[iface] = iface
        self._plan_selection(dep, dep.selection.fragment(iface), iface, subs, path, None, touched, exclude=done)

    def _plan_fields(self, fetch: FetchNode, sel: Selection, type_name: str, fields: Collected,
                     path: tuple[str, ...], provided: dict | None, touched: list[FetchNode], entity_root: bool) -> None:
        for (rkey, _), nodes in fields.items():
            # Key and required fields added on the way must not take these response keys.
            name = nodes[0].name.value
            sel.reserve(rkey, (name, print_arguments(nodes[0].arguments), self._type_in(type_name, name, fetch.graph)))
        for (rkey, conds), nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                self._target(fetch, sel, conds).field(rkey, name, (), self._field_directives(nodes[0], fetch),
                                                      type_="String!")
            elif name.startswith("__"):
                continue
            elif self._local(type_name, name, fetch.graph, provided, entity_root):
                self._plan_local_field(fetch, self._target(fetch, sel, conds), type_name, rkey, nodes, path, provided,
                                       touched)
            elif not self._jump_possible(type_name, name, path) and self._reenter(fetch, sel, type_name, rkey, conds,
                                                                                  nodes, path, touched):
                continue
            else:
                dep = self._jump(fetch, sel, type_name, name, path, provided, touched, fields)
                # An @interfaceObject subgraph knows the interface, not the object type.
                as_type = None
                if not self.sg.types[type_name].keys_in(dep.graph):
                    as_type = self.sg.interface_object_for(type_name, dep.graph)
                frag = self._anchor(dep.selection.fragment(as_type or type_name), as_type or type_name, path)
                self._plan_fields(dep, frag, as_type or type_name, {(rkey, conds): nodes}, path, None, touched, True)

    def _plan_local_field(self, fetch: FetchNode, target: Selection, type_name: str, rkey: str,
                          nodes: list[FieldNode], path: tuple[str, ...], provided: dict | None,
                          touched: list[FetchNode]) -> None:
        node = nodes[0]
        name = node.name.value
        field_def = self._field_def(type_name, name)
        subs = [n.selection_set for n in nodes if n.selection_set is not None]
        arguments = self._arguments(node, fetch) + self._context_arguments(fetch, type_name, name)
        child = target.field(rkey, name, arguments, self._field_directives(node, fetch), bool(subs),
                             self._type_in(type_name, name, fetch.graph), type_name)
        if not subs or child is None:
            return
        child_path = path + (rkey,) + ("@",) * list_depth(field_def.type)
        child_type = self._narrowed(get_named_type(field_def.type).name, type_name, name, fetch.graph)
        if child_type != get_named_type(field_def.type).name and not is_abstract_type(self.schema.get_type(child_type)):
            child.field("__typename", "__typename", type_="String!")  # the client's type is abstract
        self._anchor(child, child_type, child_path)
        child_provided = provided.get(name) if provided is not None else None
        join = self.sg.field_join(type_name, name, fetch.graph)
        if join is not None and join.provides is not None:
            child_provided = {**(child_provided or {}), **(provided_tree(join.provides) or {})}
        self._plan_selection(fetch, child, child_type, subs, child_path, child_provided, touched)

    # -- @context / @fromContext (Federation 2.8) ----------------------------------------

    def _context_arguments(self, fetch: FetchNode, type_name: str, field_name: str) -> tuple[ArgumentNode, ...]:
        """The field's @fromContext arguments as variables of its entity fetch (set up by
        ``_add_contexts`` when the field was reached): ``currency: $contextualArgument_3_0``."""
        join = self.sg.field_join(type_name, field_name, fetch.graph)
        if join is None or not join.context_arguments:
            return ()
        pairs = fetch.context_args.get((type_name, field_name))
        if pairs is None:
            # Sent without them, the subgraph would answer as if no context were set.
            raise PlanningError(f"{type_name}.{field_name} takes @fromContext arguments "
                                f"({', '.join(a.name for a in join.context_arguments)}) and is not reached "
                                f"through an entity fetch to subgraph {fetch.graph}")
        return tuple(ArgumentNode(name=NameNode(value=argument), value=VariableNode(name=NameNode(value=variable)))
                     for argument, variable in pairs)

    def _add_contexts(self, dep: FetchNode, type_names: tuple[str, ...], field_name: str, join: FieldJoin,
                      path: tuple[str, ...]) -> None:
        """Give the entity fetch ``dep`` a variable per @fromContext argument of the field, and
        select each context's selection on the ancestors of ``path`` that may set it."""
        if (type_names[0], field_name) in dep.context_args:
            return
        pairs = []
        for argument in join.context_arguments:
            variable = f"contextualArgument_{dep.id}_{len(dep.contexts)}"
            while variable in self.client_variables:
                variable = "_" + variable
            dep.contexts.append(PlannedContext(variable, argument.type, self._context_sources(dep, argument, path)))
            pairs.append((argument.name, variable))
        for type_name in type_names:
            dep.context_args[(type_name, field_name)] = tuple(pairs)

    def _context_sources(self, dep: FetchNode, argument: ContextArgument,
                         path: tuple[str, ...]) -> tuple[tuple[int, frozenset[str], SelectionSetNode], ...]:
        """The ancestors of the objects at ``path`` that may set the argument's context, nearest
        first (up to one that always does), each with the context's selection added where those
        ancestors were selected, under aliases of its own (perhaps through other entity fetches,
        which ``dep`` then waits for)."""
        sources = []
        for depth in range(len(path) - 1, -1, -1):
            always = False
            for fetch, sel, type_name in self.places.get(path[:depth], ()):
                objects = self._objects_of(type_name)
                setting = frozenset(o for o in objects if argument.context in self.sg.contexts_of(o))
                if not setting:
                    continue
                aliased = _aliased(argument.selection, f"_ctx{dep.id}_{len(dep.contexts)}")
                sel.field("__typename", "__typename", type_="String!")
                inner: list[FetchNode] = []
                self._plan_selection(fetch, sel, type_name, [aliased], path[:depth], None, inner)
                dep.deps.update(n for n in (*inner, fetch) if n is not dep)
                sources.append((depth, setting, aliased))
                always = always or setting == objects
            if always:
                break
        return tuple(sources)

    def _narrowed(self, api_type: str, type_name: str, field_name: str, graph: str) -> str:
        """The field's named type in ``graph`` where it is narrower there (``@join__field(type:)``
        naming a possible type of the API's): fragments that cannot match there are not sent."""
        declared = self._type_in(type_name, field_name, graph).strip("[]!")
        if declared == api_type:
            return api_type
        api, narrow = self.schema.get_type(api_type), self.schema.get_type(declared)
        if narrow is not None and is_abstract_type(api) and self.schema.is_sub_type(api, narrow):  # type: ignore[arg-type]
            return declared
        return api_type

    def _type_in(self, type_name: str, field_name: str, graph: str) -> str:
        """The field's type as ``graph`` declares it (``@join__field(type:)``, else the API's)."""
        key = (type_name, field_name, graph)
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = self._declared_type(type_name, field_name, graph)
        return found

    def _declared_type(self, type_name: str, field_name: str, graph: str) -> str:
        join = self.sg.field_join(type_name, field_name, graph)
        if join is not None and join.type:
            return join.type
        field_def = self._field_def(type_name, field_name)
        return str(field_def.type) if field_def is not None else ""

    def _field_def(self, type_name: str, field_name: str) -> GraphQLField | None:
        """A field's definition: the API schema's, else (an @inaccessible field, selected only
        as a key or required field) the planning schema's."""
        for schema in (self.schema, self.sg.planning_schema):
            field_def = getattr(schema.get_type(type_name), "fields", {}).get(field_name)
            if field_def is not None:
                return field_def  # type: ignore[no-any-return]
        return None

    def _internal(self, selection: SelectionSetNode, type_name: str, siblings: Collected,
                  aliases: dict[tuple[str, ...], str], sel: Selection, graph: str) -> Collected:
        """Key or @requires fields to add to ``sel``, next to the client's ``siblings``.

        Where the response key is already something else in that selection (a client alias,
        the same field with other arguments, or a field of another type in a sibling
        fragment), the internal field gets its own alias so the subgraph query stays valid and
        the representation reads the right value.
        """
        taken = {rkey for (rkey, _), ns in siblings.items()
                 if ns[0].name.value != rkey or ns[0].arguments or ns[0].directives}
        out: Collected = {}
        for (rkey, conds), nodes in self._collect([selection], type_name).items():
            name = nodes[0].name.value
            signature = (name, print_arguments(nodes[0].arguments), self._type_in(type_name, name, graph))
            if rkey in taken or sel.conflicts(rkey, signature):
                n = 0
                alias = f"_{name}_fed"
                while alias in taken or sel.conflicts(alias, signature):
                    n += 1
                    alias = f"_{name}_fed{n}"
                rkey = aliases[(name,)] = alias
            else:
                # Same response key as the client's field: inside it, the client's aliases
                # (``maker { code: name }``) must not take the nested key fields' names.
                client = [n for (k, _), ns in siblings.items() if k == rkey for n in ns]
                nodes = [_alias_nested(n, client, (name,), aliases) for n in nodes]
            out[(rkey, conds)] = nodes
        return out

    def _anchor(self, sel: Selection, type_name: str, path: tuple[str, ...]) -> Selection:
        """Entities start routes: a keyless child's field can then be fetched through them."""
        model = self.sg.types.get(type_name)
        if model is not None and model.kind == "OBJECT" and model.keys:
            sel.anchor_at(type_name, path)
        return sel

    def _jump_possible(self, type_name: str, field_name: str, path: tuple[str, ...]) -> bool:
        model = self.sg.types[type_name]
        return any((model.keys_in(g) or self.sg.interface_object_for(type_name, g)) and (g, path, type_name) not in self.resolving
                   for g in self._field_graphs(type_name, field_name))

    def _reenter(self, fetch: FetchNode, sel: Selection, type_name: str, rkey: str, conds: str,
                 nodes: list[FieldNode], path: tuple[str, ...], touched: list[FetchNode]) -> bool:
        """Fetch a field that no entity fetch can reach (a value type under @shareable root
        fields) from the root of another subgraph that resolves the whole way there.

        A ``viewer``-style root field whose selection spans subgraphs becomes one root fetch per
        subgraph, their answers merged. Only for queries: a mutation field never runs twice.
        """
        if sel.route is None:
            return False
        if sel.anchor is not None:
            return self._reenter_entity(fetch, sel, type_name, rkey, conds, nodes, path, touched)
        if self.operation.operation.value != "query":
            return False
        name = nodes[0].name.value
        for graph in self._field_graphs(type_name, name):
            if graph == fetch.graph or not all(
                    graph in self._field_graphs(step[1], step[2].name.value)
                    for step in sel.route if step[0] == "field"):
                continue
            root = self.roots.get(graph) or self.roots.setdefault(graph, self._new_node(graph, (), False))
            target = self._replay(root, root.selection, sel.route)
            self._plan_fields(root, target, type_name, {(rkey, conds): nodes}, path, None, touched, False)
            return True
        return False

    def _reenter_entity(self, fetch: FetchNode, sel: Selection, type_name: str, rkey: str, conds: str,
                        nodes: list[FieldNode], path: tuple[str, ...], touched: list[FetchNode]) -> bool:
        """Fetch a field of a keyless type through the nearest entity above it: an entity fetch
        for that entity to a subgraph resolving the whole way down to the field."""
        assert sel.anchor is not None and sel.route is not None
        anchor_type, anchor_path, anchor_sel = sel.anchor
        model = self.sg.types[anchor_type]
        for graph in self._field_graphs(type_name, nodes[0].name.value):
            if graph == fetch.graph or not model.keys_in(graph) or (graph, anchor_path, anchor_type) in self.resolving:
                continue
            if not all(graph in self._field_graphs(step[1], step[2].name.value)
                       and not getattr(self.sg.field_join(step[1], step[2].name.value, graph), "requires", None)
                       for step in sel.route if step[0] == "field"):
                continue
            dep = self._child(fetch, graph, anchor_path, touched)
            if (dep.id, anchor_type, "") not in anchor_sel.supplies:
                anchor_sel.supplies.add((dep.id, anchor_type, ""))
                self._add_key(fetch, anchor_sel, dep, anchor_type, anchor_path, None, {})
            target = self._replay(dep, self._anchor(dep.selection.fragment(anchor_type), anchor_type, anchor_path),
                                  sel.route)
            self._plan_fields(dep, target, type_name, {(rkey, conds): nodes}, path, None, touched, True)
            return True
        return False

    @staticmethod
    def _replay(fetch: FetchNode, target: Selection, route: tuple) -> Selection:
        """Select the client's route (fields with their arguments, fragments) again in ``target``."""
        for step in route:
            if step[0] == "on":
                node = step[1]
                _record_variables(node.directives or (), fetch.variables)
                target = target.fragment(node.type_condition.name.value if node.type_condition else None,
                                         node.directives)
            else:
                _, owner, node = step
                _record_variables(tuple(node.arguments or ()) + tuple(node.directives or ()), fetch.variables)
                target = target.field(node.alias.value if node.alias else node.name.value, node.name.value,
                                      node.arguments, node.directives, True, "", owner)  # type: ignore[assignment]
        return target

    def _child(self, fetch: FetchNode, graph: str, path: tuple[str, ...], touched: list[FetchNode],
               variant: int = 0) -> FetchNode:
        """The entity fetch to ``graph`` for the objects of ``fetch`` at ``path`` (made once)."""
        dep = fetch.children.get((graph, path, variant))
        if dep is None:
            dep = fetch.children[(graph, path, variant)] = self._new_node(graph, path, True)
            dep.deps.add(fetch)
        touched.append(dep)
        return dep

    def _jump(self, fetch: FetchNode, sel: Selection, type_name: str, field_name: str,
              path: tuple[str, ...], provided: dict | None, touched: list[FetchNode],
              siblings: Collected | None = None) -> FetchNode:
        """The entity fetch that resolves ``type_name.field_name`` for objects at ``path``."""
        siblings = siblings or {}
        model = self.sg.types[type_name]
        # A graph whose key we are still assembling for these objects cannot supply that key.
        candidates = [g for g in self._field_graphs(type_name, field_name)
                      if (model.keys_in(g) or self.sg.interface_object_for(type_name, g))
                      and (g, path, type_name) not in self.resolving]
        if not candidates:
            raise PlanningError(f"cannot reach {type_name}.{field_name} from subgraph {fetch.graph}")
        graph = candidates[0] if len(candidates) == 1 else next(
            (g for g in candidates if (g, path, 0) in fetch.children), None)
        if graph is None:
            graph = max(candidates, key=lambda g: self._preference(g, fetch, type_name, provided, siblings))
        join = self.sg.field_join(type_name, field_name, graph)
        iface = self.sg.interface_object_for(type_name, graph) if join is None else None
        if iface is not None:  # the field's @requires is declared on the @interfaceObject
            join = self.sg.field_join(iface, field_name, graph)
        requires = join.requires if join is not None else None
        dep = self._child(fetch, graph, path, touched, self._variant(fetch, graph, path, type_name, requires))
        # Objects of several parent types can reach one path (``... on A { x { .. } } ... on B
        # { x { .. } }``): each branch's selection must supply the key and required fields.
        if (dep.id, type_name, "") not in sel.supplies:
            sel.supplies.add((dep.id, type_name, ""))
            self._add_key(fetch, sel, dep, type_name, path, provided, siblings)
        if requires is not None:
            dep = self._add_requirements(fetch, sel, dep, type_name, field_name, requires, path, provided,
                                         touched, siblings)
        if join is not None and join.context_arguments:
            self._add_contexts(dep, (type_name, iface) if iface else (type_name,), field_name, join, path)
        return dep

    def _preference(self, graph: str, fetch: FetchNode, type_name: str, provided: dict | None,
                    siblings: Collected) -> tuple[bool, int]:
        """@shareable: prefer a subgraph whose key we already have, then the one that also
        resolves most of the sibling fields (one fetch instead of several)."""
        key_local = any(self._key_local(k.selection, type_name, fetch.graph, provided)
                        for k in self.sg.types[type_name].keys_in(graph))
        siblings_there = sum(1 for ns in siblings.values() if ns[0].name.value != "__typename"
                             and graph in self._field_graphs(type_name, ns[0].name.value))
        return key_local, siblings_there

    def _add_requirements(self, fetch: FetchNode, sel: Selection, dep: FetchNode, type_name: str, field_name: str,
                          requires: SelectionSetNode, path: tuple[str, ...], provided: dict | None,
                          touched: list[FetchNode], siblings: Collected) -> FetchNode:
        """Select in ``fetch`` the fields ``field_name`` requires, for ``dep``'s representations;
        returns the entity fetch that resolves the field (``dep`` or one of its own)."""
        done = (dep.id, type_name, field_name)
        if done in sel.supplies:
            return self.moved.get(done, dep)
        sel.supplies.add(done)
        inner: list[FetchNode] = []
        aliases = dep.rep_alias.setdefault(type_name, {})
        self._plan_fields(fetch, sel, type_name, self._internal(requires, type_name, siblings, aliases, sel, fetch.graph),
                          path, provided, inner, False)
        if dep in _upstream(inner):
            # The required fields come from fetches that need ``dep`` first (A→B→A→B
            # chains): this field gets an entity fetch of its own, one step later.
            dep = self.moved[done] = self._fresh_child(fetch, sel, dep, type_name, touched)
            sel.supplies.add((dep.id, type_name, field_name))
        dep.deps.update(inner)
        if (type_name, field_name) not in dep.required:
            dep.required.add((type_name, field_name))
            dep.rep[type_name].append(requires)
        return dep

    def _fresh_child(self, fetch: FetchNode, sel: Selection, like: FetchNode, type_name: str,
                     touched: list[FetchNode]) -> FetchNode:
        """A new entity fetch for the objects ``like`` serves, reading the same key."""
        variant = 1 + max(v for (g, p, v) in fetch.children if (g, p) == (like.graph, like.path))
        fresh = self._child(fetch, like.graph, like.path, touched, variant)
        fresh.rep[type_name] = like.rep[type_name][:1]
        fresh.rep_typename[type_name] = like.rep_typename[type_name]
        fresh.rep_alias[type_name] = dict(like.rep_alias.get(type_name, {}))
        fresh.deps.update(like.deps)
        sel.supplies.add((fresh.id, type_name, ""))
        return fresh

    @staticmethod
    def _variant(fetch: FetchNode, graph: str, path: tuple[str, ...], type_name: str,
                 requires: SelectionSetNode | None) -> int:
        """The first entity fetch (variant) whose representations can carry ``requires``.

        One representation holds one value per field name: two @requires of one field with
        different arguments (``price(currency: "USD")`` and ``price(currency: "EUR")``) need
        two entity fetches (the optimiser still sends them in one request).
        """
        if requires is None:
            return 0
        wanted = {n.name.value: print_arguments(n.arguments) for n in requires.selections if isinstance(n, FieldNode)}
        variant = 0
        while True:
            dep = fetch.children.get((graph, path, variant))
            if dep is None:
                return variant
            have = {n.name.value: print_arguments(n.arguments) for sels in dep.rep.get(type_name, [])[1:]
                    for n in sels.selections if isinstance(n, FieldNode)}
            if all(have.get(name, args) == args for name, args in wanted.items()):
                return variant
            variant += 1

    def _add_key(self, fetch: FetchNode, sel: Selection, dep: FetchNode, type_name: str, path: tuple[str, ...],
                 provided: dict | None, siblings: Collected) -> None:
        """Select in ``fetch`` the key ``dep`` needs for ``type_name`` (perhaps from yet another fetch)."""
        graph = dep.graph
        keys = self.sg.types[type_name].keys_in(graph)
        sent = type_name
        if not keys:
            sent = self.sg.interface_object_for(type_name, graph) or type_name
            keys = self.sg.types[sent].keys_in(graph)
        key = next((k for k in keys if self._key_local(k.selection, type_name, fetch.graph, provided)), keys[0])
        if type_name in dep.rep:
            key = next((k for k in keys if k.selection is dep.rep[type_name][0]), key)  # one key per representation
        inner: list[FetchNode] = []
        sel.field("__typename", "__typename")
        self.resolving.add((graph, path, type_name))
        aliases = dep.rep_alias.setdefault(type_name, {})
        self._plan_fields(fetch, sel, type_name,
                          self._internal(key.selection, type_name, siblings, aliases, sel, fetch.graph),
                          path, provided, inner, False)
        self.resolving.discard((graph, path, type_name))
        dep.deps.update(g for g in inner if g is not dep)
        if type_name not in dep.rep:
            dep.rep[type_name] = [key.selection]
            dep.rep_typename[type_name] = sent

    def _key_local(self, selection: SelectionSetNode, type_name: str, graph: str, provided: dict | None) -> bool:
        return all(
            isinstance(n, FieldNode) and self._local(type_name, n.name.value, graph, provided, False)
            for n in selection.selections
        )


def _response_keys(nodes: Iterable[FieldNode]) -> dict[str, set[tuple[str, str]]]:
    """Response key → (field name, printed arguments) in the nodes' sub-selections."""
    out: dict[str, set[tuple[str, str]]] = {}

    def walk(selection: SelectionSetNode) -> None:
        for sub in selection.selections:
            if isinstance(sub, FieldNode):
                key = sub.alias.value if sub.alias else sub.name.value
                out.setdefault(key, set()).add((sub.name.value, print_arguments(sub.arguments)))
            elif isinstance(sub, InlineFragmentNode):
                walk(sub.selection_set)

    for node in nodes:
        if node.selection_set is not None:
            walk(node.selection_set)
    return out


def _alias_nested(node: FieldNode, client: list[FieldNode], path: tuple[str, ...],
                  aliases: dict[tuple[str, ...], str]) -> FieldNode:
    """``node`` (an internal field) with aliases on nested fields whose names the client's
    same-keyed fields use for something else; the aliases are recorded by field-name path."""
    if node.selection_set is None or not client:
        return node
    taken = _response_keys(client)
    subs = []
    for sub in node.selection_set.selections:
        if not isinstance(sub, FieldNode):
            subs.append(sub)
            continue
        name = sub.name.value
        key = name
        if taken.get(name, {(name, print_arguments(sub.arguments))}) != {(name, print_arguments(sub.arguments))}:
            key = f"_{name}_fed"
            n = 0
            while key in taken:
                n += 1
                key = f"_{name}_fed{n}"
            aliases[path + (name,)] = key
            sub = FieldNode(alias=NameNode(value=key), name=sub.name, arguments=sub.arguments,
                            directives=sub.directives, selection_set=sub.selection_set)
        else:
            inner = [c for n in client for c in _fields_keyed(n, name)]
            sub = _alias_nested(sub, inner, path + (name,), aliases)
        subs.append(sub)
    return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                     selection_set=SelectionSetNode(selections=tuple(subs)))


def _fields_keyed(node: FieldNode, key: str) -> list[FieldNode]:
    """The fields under response key ``key`` directly in ``node``'s selection (fragments included)."""
    out: list[FieldNode] = []

    def walk(selection: SelectionSetNode | None) -> None:
        for sub in selection.selections if selection is not None else ():
            if isinstance(sub, FieldNode) and (sub.alias.value if sub.alias else sub.name.value) == key:
                out.append(sub)
            elif isinstance(sub, InlineFragmentNode):
                walk(sub.selection_set)

    walk(node.selection_set)
    return out


def _aliased(selection: SelectionSetNode, suffix: str) -> SelectionSetNode:
    """A @fromContext selection with its fields (outside nested selections) aliased
    ``_<name><suffix>``, so that they never take a response key of the client's."""
    out: list[FieldNode | InlineFragmentNode] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            out.append(FieldNode(alias=NameNode(value=f"_{node.name.value}{suffix}"), name=node.name,
                                 arguments=node.arguments or (), directives=(), selection_set=node.selection_set))
        elif isinstance(node, InlineFragmentNode):
            out.append(InlineFragmentNode(type_condition=node.type_condition, directives=(),
                                          selection_set=_aliased(node.selection_set, suffix)))
    return SelectionSetNode(selections=tuple(out))


def _upstream(nodes: Iterable[FetchNode]) -> set[FetchNode]:
    """The nodes and every fetch they depend on, transitively."""
    seen: set[FetchNode] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.deps)
    return seen


class Memo:
    """Answers about one supergraph under one set of override labels, kept across plans
    (the supergraph never changes): which graphs resolve a field, its type in each graph."""

    def __init__(self) -> None:
        self.graphs: dict[tuple[str, str], list[str]] = {}
        self.types: dict[tuple[str, str, str], str] = {}


def build_fetch_graph(supergraph: Supergraph, operation: OperationDefinitionNode,
                      labels: frozenset[str] = frozenset(), memo: Memo | None = None) -> FetchGraph:
    """The fetch graph of a normalised operation for the progressive @override ``labels``
    (``memo``: that supergraph's and labels' memo, shared between plans)."""
    return FetchGraphBuilder(supergraph, operation, labels, memo).build()
