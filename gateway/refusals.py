"""Partial results for fields the gateway refuses: the operation runs without them and each answers
null with its FORBIDDEN error, as a subgraph answers a field its policy refuses (docs/errors.md).

``Guards`` (gateway/authorization.py) name the refused fields by response path. ``withhold`` removes
them from the operation (fragment spreads become inline fragments first, so a field refused at one
path is not removed at another path that spreads the same fragment) and remembers each removed
field's path with the nullability of every step to it. The pruned operation is prepared and planned
like any other (it is cached by its text). ``restore`` then puts each refused field back as null; a
field the schema declares non-null nulls its nearest nullable ancestor instead, as GraphQL's null
propagation does. A selection left empty by the removal keeps a placeholder ``__typename`` under an
alias of our own (``PLACEHOLDER``; a client using the same alias would lose that key), removed again
by ``restore``.

This is what Apollo Router does with its authorization directives (it filters the query and answers
the removed fields null with errors); before it, one refused nested field emptied the whole answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_list_type,
    is_non_null_type,
    print_ast,
    visit,
)

#: Alias of the placeholder kept in a selection the removal left empty.
PLACEHOLDER = "__siirWithheld"


@dataclass(frozen=True, slots=True)
class Step:
    """One response key on the way to a refused field, and whether a null may stand there."""

    key: str
    nullable: bool  # the field itself may be null
    items: tuple[bool, ...] = ()  # for a list field: whether the items of each list level may be null


@dataclass(frozen=True, slots=True)
class Withheld:
    """The operation without the refused fields, and where to put them back as null."""

    query: str
    fields: tuple[tuple[Step, ...], ...]

    @property
    def nulls_everything(self) -> bool:
        """A refused root field is non-null: the whole ``data`` is null whatever runs, so nothing runs."""
        return any(len(steps) == 1 and not steps[0].nullable for steps in self.fields)


def withhold(schema: GraphQLSchema, operation: OperationDefinitionNode,
             fragments: Mapping[str, FragmentDefinitionNode], refused: frozenset[str]) -> Withheld:
    """The operation without the fields at the ``refused`` response paths (dotted)."""
    removed: list[tuple[Step, ...]] = []

    def steps_of(field_type: Any, key: str) -> Step:
        items: list[bool] = []
        inner = field_type.of_type if is_non_null_type(field_type) else field_type
        while is_list_type(inner):
            item = inner.of_type
            items.append(not is_non_null_type(item))
            inner = item.of_type if is_non_null_type(item) else item
        return Step(key, not is_non_null_type(field_type), tuple(items))

    def prune(selections: SelectionSetNode, parent: Any, path: str, trail: tuple[Step, ...],
              expanding: tuple[str, ...]) -> SelectionSetNode:
        kept: list[Any] = []
        for node in selections.selections:
            if isinstance(node, FieldNode):
                name = node.name.value
                key = node.alias.value if node.alias else name
                here = f"{path}.{key}" if path else key
                definition = parent.fields.get(name) if hasattr(parent, "fields") else None
                step = steps_of(definition.type, key) if definition is not None else Step(key, True)
                if here in refused:
                    if (trail + (step,)) not in removed:
                        removed.append(trail + (step,))
                    continue
                if node.selection_set is not None and definition is not None:
                    node = _with_selections(node, prune(node.selection_set, get_named_type(definition.type), here,
                                                        trail + (step,), expanding))
                kept.append(node)
            elif isinstance(node, InlineFragmentNode):
                condition = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                kept.append(_with_selections(node, prune(node.selection_set, condition, path, trail, expanding)))
            elif isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is None or node.name.value in expanding:
                    continue  # validation already refused unknown and cyclic spreads
                inline = InlineFragmentNode(type_condition=fragment.type_condition, directives=node.directives,
                                            selection_set=fragment.selection_set)
                condition = schema.get_type(fragment.type_condition.name.value)
                kept.append(_with_selections(inline, prune(fragment.selection_set, condition, path, trail,
                                                           expanding + (node.name.value,))))
        if not _selects_field(kept):
            kept.append(FieldNode(alias=NameNode(value=PLACEHOLDER), name=NameNode(value="__typename"),
                                  arguments=(), directives=()))
        return SelectionSetNode(selections=tuple(kept))

    root = schema.get_root_type(operation.operation)
    selections = prune(operation.selection_set, root, "", (), ())
    # A variable only the removed fields used would fail validation ("never used"): drop its definition.
    used: set[str] = set()

    class Uses(Visitor):
        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            used.add(node.name.value)

    visit(selections, Uses())
    for directive in operation.directives or ():
        visit(directive, Uses())
    pruned = OperationDefinitionNode(
        operation=operation.operation, name=operation.name, directives=operation.directives,
        variable_definitions=tuple(d for d in operation.variable_definitions or () if d.variable.name.value in used),
        selection_set=selections)
    return Withheld(print_ast(DocumentNode(definitions=(pruned,))), tuple(removed))


def _with_selections(node: Any, selections: SelectionSetNode) -> Any:
    return replace(node, selection_set=selections)


def _selects_field(selections: list[Any]) -> bool:
    """Whether a selection set still selects a field (a fragment left with only a placeholder
    counts: it still selects one)."""
    return any(isinstance(s, FieldNode) or (isinstance(s, InlineFragmentNode) and s.selection_set.selections)
               for s in selections)


def outermost(paths: frozenset[str]) -> frozenset[str]:
    """The refused paths not inside another refused one: a field under a refused field is never
    selected, so it neither needs removing nor gets an error of its own (only the null does)."""
    return frozenset(p for p in paths if not any(p.startswith(q + ".") for q in paths))


def restore(result: dict[str, Any], withheld: Withheld) -> dict[str, Any]:
    """The answer with each refused field null (or its nearest nullable ancestor) and the
    placeholders gone."""
    data = result.get("data")
    if data is None:
        return result
    nulled_root = False
    for steps in withheld.fields:
        if _put_null(data, steps):
            nulled_root = True
    _drop_placeholders(data)
    if nulled_root:
        return {**result, "data": None}
    return result


def _put_null(data: dict[str, Any], steps: tuple[Step, ...]) -> bool:
    """Put null at ``steps`` under every object ``data`` holds there; True when the null reaches the
    root (every step up to the root is non-null)."""

    def down(value: Any, depth: int) -> bool:
        """Null at ``steps[depth:]`` inside ``value`` (an object); True when ``value`` itself must
        become null."""
        step = steps[depth]
        if depth == len(steps) - 1:
            value[step.key] = None
            return not step.nullable
        child = value.get(step.key)
        if child is None:
            return False
        if isinstance(child, list):
            invalid = down_list(child, depth + 1, step.items)
        else:
            invalid = down(child, depth + 1)
        if invalid:
            value[step.key] = None
            return not step.nullable
        return False

    def down_list(items: list[Any], depth: int, nullable: tuple[bool, ...]) -> bool:
        """Null inside each item; True when the list itself must become null (an item that must be
        null where the list's items may not be)."""
        for index, item in enumerate(items):
            if isinstance(item, list):
                invalid = down_list(item, depth, nullable[1:])
            elif isinstance(item, dict):
                invalid = down(item, depth)
            else:
                continue
            if invalid:
                if not (nullable[0] if nullable else True):
                    return True
                items[index] = None
        return False

    return down(data, 0)


def _drop_placeholders(value: Any) -> None:
    if isinstance(value, dict):
        value.pop(PLACEHOLDER, None)
        for child in value.values():
            _drop_placeholders(child)
    elif isinstance(value, list):
        for child in value:
            _drop_placeholders(child)

