"""The query planner: supergraph model + validated operation → QueryPlan.

Pure: no I/O, no clock, no request state. Fields stay in the fetch of the current subgraph
when it can resolve them (which is also how @shareable and @provides save hops); other fields
jump through ``_entities`` to a subgraph that owns them, adding the key (and @requires) fields
to the parent fetch. Abstract selections are expanded per possible type of the subgraph so
each type can be routed on its own.
"""

from __future__ import annotations

import re
from typing import Iterable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    print_ast,
)
from graphql.language import Visitor, visit

from gateway.plan import EntityPart, Fetch, QueryPlan, RepField
from gateway.supergraph import Supergraph


_VARIABLE = re.compile(r"\$([_A-Za-z][_0-9A-Za-z]*)")


class PlanningError(Exception):
    """The operation cannot be planned on this supergraph (a composition gap)."""


class SelSet:
    """An ordered, de-duplicated selection set being built for one subgraph query."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[tuple[str, ...], SelSet | None] = {}

    def field(self, response_key: str, name: str, args: str = "", dirs: str = "", nested: bool = False) -> "SelSet | None":
        """Add ``alias: name(args) @dirs`` (once) and return its sub-selection when nested."""
        key = ("f", response_key, name, args, dirs)
        if key not in self.items:
            self.items[key] = SelSet() if nested else None
        return self.items[key]

    def fragment(self, type_condition: str | None, dirs: str = "") -> "SelSet":
        """Add ``... on Type @dirs { }`` (once) and return its selection."""
        key = ("i", type_condition or "", dirs)
        existing = self.items.get(key)
        if existing is None:
            existing = self.items[key] = SelSet()
        return existing

    def print(self) -> str:
        """Print as GraphQL source (``{ ... }``)."""
        parts = []
        for key, child in self.items.items():
            if key[0] == "f":
                _, rkey, name, args, dirs = key
                text = name if rkey == name else f"{rkey}: {name}"
                text += args + dirs
            else:
                _, cond, dirs = key
                text = "..." + (f" on {cond}" if cond else "") + dirs
            if child is not None:
                text += " " + child.print()
            parts.append(text)
        return "{ " + " ".join(parts) + " }"


class _Group:
    """A fetch being assembled: one subgraph, one merge path."""

    def __init__(self, gid: int, graph: str, path: tuple[str, ...], entity: bool) -> None:
        self.id = gid
        self.graph = graph
        self.path = path
        self.entity = entity
        self.sel = SelSet()
        self.variables: set[str] = set()
        self.deps: set[_Group] = set()
        self.children: dict[tuple[str, tuple[str, ...]], _Group] = {}
        self.rep: dict[str, list[SelectionSetNode]] = {}
        self.rep_typename: dict[str, str] = {}
        self.rep_alias: dict[str, dict[str, str]] = {}  # type -> field name -> response key
        self.required: set[tuple[str, str]] = set()


def _list_depth(gql_type: object) -> int:
    depth = 0
    while isinstance(gql_type, (GraphQLNonNull, GraphQLList)):
        if isinstance(gql_type, GraphQLList):
            depth += 1
        gql_type = gql_type.of_type
    return depth


def _provided_tree(selection: SelectionSetNode | None) -> dict[str, dict] | None:
    """``@provides`` field set → nested dict of field names (fragments flattened)."""
    if selection is None:
        return None
    out: dict[str, dict] = {}
    for node in selection.selections:
        if isinstance(node, FieldNode):
            out[node.name.value] = _provided_tree(node.selection_set) or {}
        elif isinstance(node, InlineFragmentNode):
            out.update(_provided_tree(node.selection_set) or {})
    return out


def _rep_fields(selections: Iterable[SelectionSetNode]) -> tuple[RepField, ...]:
    merged: dict[str, list[SelectionSetNode]] = {}
    for selection in selections:
        for node in selection.selections:
            if isinstance(node, FieldNode):
                lst = merged.setdefault(node.name.value, [])
                if node.selection_set is not None:
                    lst.append(node.selection_set)
            elif isinstance(node, InlineFragmentNode):
                for rf in _rep_fields([node.selection_set]):
                    merged.setdefault(rf.name, [])
    return tuple(RepField(name, name, _rep_fields(subs)) for name, subs in merged.items())


class _VarCollector(Visitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)


class Planner:
    """Plans operations against one supergraph. Holds no per-request state between calls."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema

    # -- public --------------------------------------------------------------------------

    def plan(self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode],
             labels: frozenset[str] = frozenset()) -> QueryPlan:
        """Plan a validated operation (with the document's fragments) for the progressive
        @override ``labels`` in force."""
        return _PlanRun(self, operation, fragments, labels).run()


class _PlanRun:
    """The state of planning one operation."""

    def __init__(self, planner: Planner, operation: OperationDefinitionNode,
                 fragments: dict[str, FragmentDefinitionNode], labels: frozenset[str]) -> None:
        self.sg = planner.supergraph
        self.labels = labels
        self.schema = planner.schema
        self.operation = operation
        self.fragments = fragments
        self.groups: list[_Group] = []
        self.resolving: set[tuple[str, tuple[str, ...], str]] = set()

    def _new_group(self, graph: str, path: tuple[str, ...], entity: bool) -> _Group:
        group = _Group(len(self.groups), graph, path, entity)
        self.groups.append(group)
        return group

    # -- entry ---------------------------------------------------------------------------

    def run(self) -> QueryPlan:
        kind = self.operation.operation.value
        root_type = self.schema.get_root_type(self.operation.operation)
        assert root_type is not None
        fields = self._collect([self.operation.selection_set], root_type.name)
        roots: dict[str, _Group] = {}
        previous: _Group | None = None
        for (rkey, conds), nodes in fields.items():
            name = nodes[0].name.value
            if name.startswith("__"):
                continue  # __typename, __schema, __type: answered from the API schema
            graphs = self.sg.field_graphs(root_type.name, name, self.labels)
            if not graphs:
                raise PlanningError(f"no subgraph resolves {root_type.name}.{name}")
            if kind == "mutation":
                # Strictly in order: a new fetch whenever the subgraph changes, after all before it.
                if previous is not None and previous.graph in graphs:
                    group = previous
                else:
                    group = self._new_group(self._best_graph(graphs, root_type.name, nodes), (), False)
                    group.deps.update(self.groups[:-1])
                previous = group
            else:
                graph = next((g for g in graphs if g in roots), None) or self._best_graph(graphs, root_type.name, nodes)
                group = roots.get(graph) or roots.setdefault(graph, self._new_group(graph, (), False))
            self._plan_fields(group, group.sel, root_type.name, {(rkey, conds): nodes}, (), None, [], False)
        return self._finish(kind)

    def _best_graph(self, graphs: list[str], type_name: str, nodes: list[FieldNode]) -> str:
        """Among graphs resolving a field, the one resolving most of its sub-selection."""
        if len(graphs) == 1:
            return graphs[0]
        field_def = self.schema.get_type(type_name).fields[nodes[0].name.value]  # type: ignore[union-attr]
        child = get_named_type(field_def.type)
        subs = [n.selection_set for n in nodes if n.selection_set]
        if not subs or is_abstract_type(child):
            return graphs[0]

        def score(graph: str) -> int:
            fields = self._collect(subs, child.name)
            return sum(1 for (_, _), ns in fields.items()
                       if ns[0].name.value == "__typename" or self._local(child.name, ns[0].name.value, graph, None, False))
        return max(graphs, key=score)

    # -- field collection ----------------------------------------------------------------

    def _collect(self, selection_sets: list[SelectionSetNode], type_name: str,
                 conds: str = "") -> dict[tuple[str, str], list[FieldNode]]:
        """Fields that apply to the object type ``type_name``, grouped by response key."""
        out: dict[tuple[str, str], list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect_into(out, selection_set, type_name, conds)
        return out

    def _collect_into(self, out: dict, selection_set: SelectionSetNode, type_name: str, conds: str) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                rkey = node.alias.value if node.alias else node.name.value
                out.setdefault((rkey, conds), []).append(node)
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                cond, sub = fragment.type_condition.name.value, fragment.selection_set
            else:
                cond = node.type_condition.name.value if node.type_condition else None
                sub = node.selection_set
            if cond is not None and cond != type_name:
                cond_type = self.schema.get_type(cond)
                obj_type = self.schema.get_type(type_name)
                if not (is_abstract_type(cond_type) and obj_type is not None
                        and self.schema.is_sub_type(cond_type, obj_type)):  # type: ignore[arg-type]
                    continue
            self._collect_into(out, sub, type_name, conds + self._dirs(node, None))

    def _dirs(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode, group: _Group | None) -> str:
        """The @skip/@include of a node, printed; their variables are recorded on ``group``."""
        out = ""
        for d in node.directives or ():
            if d.name.value in ("skip", "include"):
                out += " " + print_ast(d)
                if group is not None:
                    visit(d, _VarCollector(group.variables))
        return out

    def _target(self, group: _Group, sel: SelSet, conds: str) -> SelSet:
        """Where a field goes: ``sel`` itself, or an inline fragment carrying inherited conditions."""
        if not conds:
            return sel
        group.variables.update(_VARIABLE.findall(conds))
        return sel.fragment(None, conds)

    def _args(self, node: FieldNode, group: _Group) -> str:
        if not node.arguments:
            return ""
        for arg in node.arguments:
            visit(arg, _VarCollector(group.variables))
        return "(" + ", ".join(print_ast(a) for a in node.arguments) + ")"

    # -- routing -------------------------------------------------------------------------

    def _local(self, type_name: str, field_name: str, graph: str, provided: dict | None, entity_root: bool) -> bool:
        """Whether ``graph`` resolves the field in the fetch that reached this object."""
        if provided is not None and field_name in provided:
            return True
        if graph not in self.sg.field_graphs(type_name, field_name, self.labels):
            return False
        join = self.sg.field_join(type_name, field_name, graph)
        # A @requires field only resolves through _entities, with the required fields sent.
        return not (join is not None and join.requires is not None and not entity_root)

    def _plan_selection(self, group: _Group, sel: SelSet, type_name: str, subs: list[SelectionSetNode],
                        path: tuple[str, ...], provided: dict | None, touched: list[_Group],
                        exclude: frozenset[str] = frozenset()) -> None:
        """Plan a selection on ``type_name`` in ``group`` (``exclude``: response keys already fetched)."""
        gql_type = self.schema.get_type(type_name)
        if not is_abstract_type(gql_type):
            fields = {k: v for k, v in self._collect(subs, type_name).items() if k[0] not in exclude}
            self._plan_fields(group, sel, type_name, fields, path, provided, touched, False)
            return
        if group.graph in self.sg.types[type_name].interface_object_graphs:
            self._plan_interface_object(group, sel, type_name, subs, path, provided, touched)
            return
        sel.field("__typename", "__typename")
        in_graph = set(self.sg.possible_types_in(type_name, group.graph))
        for obj in self.schema.get_possible_types(gql_type):  # type: ignore[arg-type]
            if obj.name not in in_graph:
                continue  # this subgraph never returns that type here
            fields = {k: v for k, v in self._collect(subs, obj.name).items() if k[0] not in exclude}
            if any(ns[0].name.value != "__typename" for ns in fields.values()):
                frag = sel.fragment(obj.name)
                self._plan_fields(group, frag, obj.name, fields, path, provided, touched, False)
            else:
                for (rkey, conds), ns in fields.items():
                    target = self._target(group, sel, conds)
                    target.field(rkey, "__typename", "", self._dirs(ns[0], group))

    def _plan_interface_object(self, group: _Group, sel: SelSet, iface: str, subs: list[SelectionSetNode],
                               path: tuple[str, ...], provided: dict | None, touched: list[_Group]) -> None:
        """An interface returned by a subgraph that models it as an @interfaceObject.

        That subgraph answers ``__typename: "<Interface>"``: the fields it owns come from it,
        then an entity fetch to a subgraph defining the interface for real gives the concrete
        ``__typename`` and everything else, planned per possible type from there.
        """
        model = self.sg.types[iface]
        local = {k: ns for k, ns in self._collect(subs, iface).items()
                 if ns[0].name.value != "__typename" and self._local(iface, ns[0].name.value, group.graph, provided, False)}
        self._plan_fields(group, sel, iface, local, path, provided, touched, False)
        sel.field("__typename", "__typename")
        origins = [g for g in model.graphs if g not in model.interface_object_graphs and model.keys_in(g)]
        if not origins:
            raise PlanningError(f"no subgraph can tell the concrete type of {iface} objects from {group.graph}")
        graph = next((g for g in origins if (g, path) in group.children), origins[0])
        dep = group.children.get((graph, path))
        if dep is None:
            dep = group.children[(graph, path)] = self._new_group(graph, path, True)
            dep.deps.add(group)
        touched.append(dep)
        if iface not in dep.rep:
            key = model.keys_in(graph)[0]
            inner: list[_Group] = []
            aliases = dep.rep_alias.setdefault(iface, {})
            self._plan_fields(group, sel, iface, self._internal(key.selection, iface, local, aliases),
                              path, provided, inner, False)
            dep.deps.update(g for g in inner if g is not dep)
            dep.rep[iface] = [key.selection]
            dep.rep_typename[iface] = iface
        self._plan_selection(dep, dep.sel.fragment(iface), iface, subs, path, None, touched,
                             exclude=frozenset(rkey for rkey, _ in local))

    def _plan_fields(self, group: _Group, sel: SelSet, type_name: str, fields: dict[tuple[str, str], list[FieldNode]],
                     path: tuple[str, ...], provided: dict | None, touched: list[_Group], entity_root: bool) -> None:
        parent = self.schema.get_type(type_name)
        for (rkey, conds), nodes in fields.items():
            node = nodes[0]
            name = node.name.value
            target = self._target(group, sel, conds)
            if name == "__typename":
                target.field(rkey, name, "", self._dirs(node, group))
                continue
            if name.startswith("__"):
                continue
            if self._local(type_name, name, group.graph, provided, entity_root):
                field_def = parent.fields[name]  # type: ignore[union-attr]
                subs = [n.selection_set for n in nodes if n.selection_set is not None]
                child = target.field(rkey, name, self._args(node, group), self._dirs(node, group), bool(subs))
                if subs and child is not None:
                    child_path = path + (rkey,) + ("@",) * _list_depth(field_def.type)
                    child_provided = provided.get(name) if provided is not None else None
                    join = self.sg.field_join(type_name, name, group.graph)
                    if join is not None and join.provides is not None:
                        child_provided = {**(child_provided or {}), **(_provided_tree(join.provides) or {})}
                    self._plan_selection(group, child, get_named_type(field_def.type).name, subs,
                                         child_path, child_provided, touched)
                continue
            dep = self._jump(group, sel, type_name, name, path, provided, touched, fields)
            # An @interfaceObject subgraph knows the interface, not the object type.
            as_type = None
            if not self.sg.types[type_name].keys_in(dep.graph):
                as_type = self.sg.interface_object_for(type_name, dep.graph)
            self._plan_fields(dep, dep.sel.fragment(as_type or type_name), as_type or type_name,
                              {(rkey, conds): nodes}, path, None, touched, True)

    def _internal(self, selection: SelectionSetNode, type_name: str, siblings: dict,
                  aliases: dict[str, str]) -> dict[tuple[str, str], list[FieldNode]]:
        """Key or @requires fields to add next to the client's ``siblings``.

        Where the client uses a field's name as the response key of something else (an
        alias, or the same field with other arguments), the internal field gets its own
        alias so the subgraph query stays valid and the representation reads the right value.
        """
        taken = {rkey for (rkey, _), ns in siblings.items()
                 if ns[0].name.value != rkey or ns[0].arguments or ns[0].directives}
        out: dict[tuple[str, str], list[FieldNode]] = {}
        for (rkey, conds), nodes in self._collect([selection], type_name).items():
            if rkey in taken:
                rkey = aliases[nodes[0].name.value] = f"_{rkey}_fed"
            out[(rkey, conds)] = nodes
        return out

    def _jump(self, group: _Group, sel: SelSet, type_name: str, field_name: str,
              path: tuple[str, ...], provided: dict | None, touched: list[_Group],
              siblings: dict | None = None) -> _Group:
        """The entity fetch that resolves ``type_name.field_name`` for objects at ``path``."""
        siblings = siblings or {}
        model = self.sg.types[type_name]
        # A graph whose key we are still assembling for these objects cannot supply that key.
        candidates = [g for g in self.sg.field_graphs(type_name, field_name, self.labels)
                      if (model.keys_in(g) or self.sg.interface_object_for(type_name, g))
                      and (g, path, type_name) not in self.resolving]
        if not candidates:
            raise PlanningError(f"cannot reach {type_name}.{field_name} from subgraph {group.graph}")
        graph = next((g for g in candidates if (g, path) in group.children), None)
        if graph is None:
            # @shareable: prefer a subgraph whose key we already have, then the one that also
            # resolves most of the sibling fields (one fetch instead of several).
            def score(g: str) -> tuple[bool, int]:
                key_local = any(self._key_local(k.selection, type_name, group.graph, provided) for k in model.keys_in(g))
                siblings_there = sum(1 for ns in siblings.values() if ns[0].name.value != "__typename"
                                     and g in self.sg.field_graphs(type_name, ns[0].name.value, self.labels))
                return key_local, siblings_there
            graph = max(candidates, key=score)
        dep = group.children.get((graph, path))
        if dep is None:
            dep = group.children[(graph, path)] = self._new_group(graph, path, True)
            dep.deps.add(group)
        touched.append(dep)
        if type_name not in dep.rep:
            keys = model.keys_in(graph)
            sent = type_name
            if not keys:
                sent = self.sg.interface_object_for(type_name, graph) or type_name
                keys = self.sg.types[sent].keys_in(graph)
            key = next((k for k in keys if self._key_local(k.selection, type_name, group.graph, provided)), keys[0])
            inner: list[_Group] = []
            sel.field("__typename", "__typename")
            self.resolving.add((graph, path, type_name))
            aliases = dep.rep_alias.setdefault(type_name, {})
            self._plan_fields(group, sel, type_name, self._internal(key.selection, type_name, siblings, aliases),
                              path, provided, inner, False)
            self.resolving.discard((graph, path, type_name))
            dep.deps.update(g for g in inner if g is not dep)
            dep.rep[type_name] = [key.selection]
            dep.rep_typename[type_name] = sent
        join = self.sg.field_join(type_name, field_name, graph)
        if join is not None and join.requires is not None and (type_name, field_name) not in dep.required:
            dep.required.add((type_name, field_name))
            inner = []
            aliases = dep.rep_alias.setdefault(type_name, {})
            self._plan_fields(group, sel, type_name, self._internal(join.requires, type_name, siblings, aliases),
                              path, provided, inner, False)
            dep.deps.update(g for g in inner if g is not dep)
            dep.rep[type_name].append(join.requires)
        return dep

    def _key_local(self, selection: SelectionSetNode, type_name: str, graph: str, provided: dict | None) -> bool:
        return all(
            isinstance(n, FieldNode) and self._local(type_name, n.name.value, graph, provided, False)
            for n in selection.selections
        )

    # -- output --------------------------------------------------------------------------

    def _var_defs(self, names: set[str], extra: str = "") -> str:
        defs = [extra] if extra else []
        for vd in self.operation.variable_definitions or ():
            if vd.variable.name.value in names:
                text = f"${vd.variable.name.value}: {print_ast(vd.type)}"
                if vd.default_value is not None:
                    text += f" = {print_ast(vd.default_value)}"
                defs.append(text)
        return "(" + ", ".join(defs) + ")" if defs else ""

    def _finish(self, kind: str) -> QueryPlan:
        levels: dict[int, int] = {}

        def level(g: _Group, seen: frozenset[int] = frozenset()) -> int:
            if g.id not in levels:
                if g.id in seen:
                    raise PlanningError("cyclic dependency between fetches")
                levels[g.id] = 1 + max((level(d, seen | {g.id}) for d in g.deps), default=-1)
            return levels[g.id]

        built: list[tuple[_Group, int, tuple, tuple]] = []  # group, stage, failure keys, representations
        for g in self.groups:
            if not g.sel.items:
                continue
            failure_keys = tuple(
                (t, tuple(k[1] for k in child.items if k[0] == "f" and k[2] != "__typename")[:1])
                for (kind_, t, _), child in g.sel.items.items() if kind_ == "i" and child is not None
            ) if g.entity else (("", tuple(k[1] for k in g.sel.items if k[0] == "f" and k[2] != "__typename")),)
            reps = tuple((t, g.rep_typename[t], tuple(
                RepField(f.name, g.rep_alias.get(t, {}).get(f.name, f.response_key), f.children)
                for f in _rep_fields(sels))) for t, sels in g.rep.items()) if g.entity else ()
            built.append((g, level(g), failure_keys, reps))
        # Entity fetches to one subgraph in one stage become one request (one part per path).
        merged: dict[tuple[int, str], list[tuple[_Group, int, tuple, tuple]]] = {}
        for item in built:
            if item[0].entity:
                merged.setdefault((item[1], item[0].graph), []).append(item)
        owner = {item[0].id: items[0][0].id for items in merged.values() for item in items}
        stages: dict[int, list[Fetch]] = {}
        for g, stage, failure_keys, _ in built:
            deps = tuple(sorted({owner.get(d.id, d.id) for d in g.deps}))
            if not g.entity:
                operation = f"{kind}{self._var_defs(g.variables)} {g.sel.print()}"
                stages.setdefault(stage, []).append(Fetch(
                    id=g.id, graph=g.graph, operation=operation, variable_names=tuple(sorted(g.variables)),
                    depends_on=deps, failure_keys=failure_keys))
                continue
            items = merged[(stage, g.graph)]
            if items[0][0] is not g:
                continue  # merged into the first entity fetch of this subgraph and stage
            single = len(items) == 1
            client_variables = {vd.variable.name.value for vd in self.operation.variable_definitions or ()}
            parts, fields, defs, variables = [], [], [], set()
            all_deps: set[int] = set()
            for n, (member, _, keys, member_reps) in enumerate(items):
                alias, variable = ("_entities", "representations") if single else (f"_e{n}", f"r{n}")
                while variable in client_variables:  # the client's own $representations wins
                    variable = "_" + variable
                parts.append(EntityPart(member.path, member_reps, keys, alias, variable))
                head = "_entities" if single else f"{alias}: _entities"
                fields.append(f"{head}(representations: ${variable}) {member.sel.print()}")
                defs.append(f"${variable}: [_Any!]!")
                variables |= member.variables
                all_deps |= {owner.get(d.id, d.id) for d in member.deps}
            operation = f"query{self._var_defs(variables, ', '.join(defs))} {{ {' '.join(fields)} }}"
            stages.setdefault(stage, []).append(Fetch(
                id=g.id, graph=g.graph, operation=operation, variable_names=tuple(sorted(variables)),
                depends_on=tuple(sorted(all_deps - {g.id})), parts=tuple(parts)))
        return QueryPlan(kind, tuple(tuple(stages[k]) for k in sorted(stages)))
