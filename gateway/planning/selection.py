"""Subgraph selections as graphql-core AST, and the one printer of subgraph operations.

A ``Selection`` is an ordered, de-duplicated selection set being assembled for one subgraph
query: adding the same field (same response key, name, arguments and conditions) or the same
fragment twice returns the existing one. ``to_ast`` gives graphql-core nodes; ``print_compact``
prints an operation on one line (what subgraphs receive and plan tests compare).
"""

from __future__ import annotations

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    print_ast,
)


def _value(node: Node) -> str:
    if isinstance(node, StringValueNode) and node.block:
        # A block string prints over several lines; the same value as a plain string does not.
        node = StringValueNode(value=node.value)
    return print_ast(node)


def print_arguments(arguments: tuple[ArgumentNode, ...] | None) -> str:
    """``(a: 1, b: $v)`` or ``""``."""
    if not arguments:
        return ""
    return "(" + ", ".join(f"{a.name.value}: {_value(a.value)}" for a in arguments) + ")"


def print_directives(directives: tuple[DirectiveNode, ...] | None) -> str:
    """`` @include(if: $x)`` … or ``""``."""
    return "".join(f" @{d.name.value}{print_arguments(d.arguments)}" for d in directives or ())


def _print_selection_set(node: SelectionSetNode) -> str:
    parts = []
    for sel in node.selections:
        if isinstance(sel, FieldNode):
            text = (f"{sel.alias.value}: " if sel.alias else "") + sel.name.value
            text += print_arguments(sel.arguments) + print_directives(sel.directives)
        else:
            assert isinstance(sel, InlineFragmentNode)
            text = "..." + (f" on {sel.type_condition.name.value}" if sel.type_condition else "")
            text += print_directives(sel.directives)
        if sel.selection_set is not None:
            text += " " + _print_selection_set(sel.selection_set)
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


def print_compact(operation: OperationDefinitionNode) -> str:
    """Print an operation on one line: ``query($v: T) { ... }``."""
    defs = []
    for vd in operation.variable_definitions or ():
        text = f"${vd.variable.name.value}: {print_ast(vd.type)}"
        if vd.default_value is not None:
            text += f" = {_value(vd.default_value)}"
        defs.append(text)
    head = operation.operation.value + (f"({', '.join(defs)})" if defs else "")
    return f"{head} {_print_selection_set(operation.selection_set)}"


def document(operation: OperationDefinitionNode) -> DocumentNode:
    """The operation as a document (for graphql-core validation in tests)."""
    return DocumentNode(definitions=(operation,))


class Selection:
    """An ordered, de-duplicated selection set being built for one subgraph query."""

    __slots__ = ("items", "supplies", "parent", "signatures", "route", "anchor")

    def __init__(self, parent: "Selection | None" = None, route: tuple | None = None) -> None:
        # key → (node without its selection set, child Selection or None)
        self.items: dict[tuple, tuple[FieldNode | InlineFragmentNode, Selection | None]] = {}
        # (entity fetch id, type, what) already selected here for another fetch's representations
        self.supplies: set[tuple[int, str, str]] = set()
        self.parent = parent  # the selection an inline fragment sits in (None for a field's)
        # response key → (field name, printed arguments, type in the subgraph) of each field
        self.signatures: dict[str, set[tuple[str, str, str]]] = {}
        # In a root fetch: how the client's operation reaches this selection from the root, as
        # ("field", owner type, node) and ("on", node) steps; None in an entity fetch.
        self.route = route
        # (entity type, merge path, its selection) the route starts from; None: the root
        self.anchor: tuple[str, tuple[str, ...], Selection] | None = None

    def field(self, response_key: str, name: str, arguments: tuple[ArgumentNode, ...] = (),
              directives: tuple[DirectiveNode, ...] = (), nested: bool = False,
              type_: str = "", owner: str = "") -> "Selection | None":
        """Add ``alias: name(args) @dirs`` (once) and return its sub-selection when nested;
        ``type_`` (the field's type in the subgraph) is what ``conflicts`` compares."""
        args = print_arguments(arguments)
        key = ("f", response_key, name, args, print_directives(directives))
        existing = self.items.get(key)
        if existing is None:
            node = FieldNode(alias=NameNode(value=response_key) if response_key != name else None,
                             name=NameNode(value=name), arguments=tuple(arguments), directives=tuple(directives),
                             selection_set=None)
            route = self.route + (("field", owner, node),) if self.route is not None and owner else None
            child = Selection(route=route) if nested else None
            if child is not None:
                child.anchor = self.anchor
            existing = self.items[key] = (node, child)
        self.signatures.setdefault(response_key, set()).add((name, args, type_))
        return existing[1]

    def anchor_at(self, type_name: str, path: tuple[str, ...]) -> "Selection":
        """Make this selection (on an entity type) the start of its descendants' routes."""
        self.route = ()
        self.anchor = (type_name, path, self)
        return self

    def _scope(self) -> "Selection":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def reserve(self, response_key: str, signature: tuple[str, str, str]) -> None:
        """Record a client field that this selection will hold, before it is added."""
        self.signatures.setdefault(response_key, set()).add(signature)

    def _signatures(self, response_key: str, out: set[tuple[str, str, str]]) -> None:
        out.update(self.signatures.get(response_key, ()))
        for _, child in self.fragments():
            child._signatures(response_key, out)

    def conflicts(self, response_key: str, signature: tuple[str, str, str]) -> bool:
        """Whether a field ``signature`` under ``response_key`` here would clash with another
        field of that response key in the same selection (its fragments included): another
        field, other arguments or another type make the subgraph operation invalid."""
        found: set[tuple[str, str, str]] = set()
        self._scope()._signatures(response_key, found)
        return any(s != signature and not (s[:2] == signature[:2] and "" in (s[2], signature[2])) for s in found)

    def fragment(self, type_condition: str | None, directives: tuple[DirectiveNode, ...] = ()) -> "Selection":
        """Add ``... on Type @dirs { }`` (once) and return its selection."""
        key = ("i", type_condition or "", print_directives(directives))
        existing = self.items.get(key)
        if existing is None:
            node = InlineFragmentNode(
                type_condition=NamedTypeNode(name=NameNode(value=type_condition)) if type_condition else None,
                directives=tuple(directives), selection_set=SelectionSetNode(selections=()))
            route = self.route + (("on", node),) if self.route is not None else None
            child = Selection(self, route)
            child.anchor = self.anchor
            existing = self.items[key] = (node, child)
        return existing[1]  # type: ignore[return-value]

    def fields(self) -> list[tuple[str, str]]:
        """(response key, field name) of the fields directly in this selection."""
        return [(k[1], k[2]) for k in self.items if k[0] == "f"]

    def fragments(self) -> list[tuple[str, "Selection"]]:
        """(type condition, selection) of the inline fragments directly in this selection."""
        return [(k[1], child) for k, (_, child) in self.items.items() if k[0] == "i" and child is not None]

    def is_empty(self) -> bool:
        """Whether nothing but empty fragments was added."""
        return self.to_ast() is None

    def to_ast(self) -> SelectionSetNode | None:
        """The selection set as AST; empty fragments are left out (None when nothing is left).

        A nested field whose selection ended up empty selects ``__typename``: a subgraph must
        never receive ``{ }``.
        """
        out = []
        for node, child in self.items.values():
            if child is None:
                out.append(node)
                continue
            sub = child.to_ast()
            if sub is None:
                if isinstance(node, InlineFragmentNode):
                    continue
                sub = SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename"),
                                                             arguments=(), directives=()),))
            out.append(_with_selection(node, sub))
        return SelectionSetNode(selections=tuple(out)) if out else None


def _with_selection(node: FieldNode | InlineFragmentNode, sub: SelectionSetNode) -> FieldNode | InlineFragmentNode:
    if isinstance(node, FieldNode):
        return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                         selection_set=sub)
    return InlineFragmentNode(type_condition=node.type_condition, directives=node.directives, selection_set=sub)

