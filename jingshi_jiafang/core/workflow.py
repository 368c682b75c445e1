"""One engine for every state machine: echo-card matters and echo cards now, ledger items and callbacks next.

A workflow is built once per model from two things kept side by side in the app that owns the model:

- the transition map: which state may move to which. The engine enforces it on every move, so no service
  writes "may this move happen" again.
- the action registry: what people do on the object's page (name, label, target state, form, who may, message
  when done). Services act by name, permissions ask `actions_for`, views take forms and messages from it and
  templates loop over it, so a new state or action is one edit here and nowhere else.

The registry is checked against the map when the workflow is built: an action whose move the map forbids fails
at import, not in front of a user.

A move, in one transaction: lock the row (select_for_update), check it against the map (and against the
action's states when it is an action), save what changed with update_fields, write the model's history row
(from, to, actor, time, note) and the audit entry (with actor and request). A refused move raises the
workflow's DomainError subclass with a message the user can read.

The model keeps its state in a field named `state` with choices. History models follow one shape: a foreign key
to the object (named by `history_of`) and the fields `from_state`, `to_state`, `actor`, `note`; the time is
their own `auto_now_add`. They are append-only (core/history.py).
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from jingshi_jiafang.core.audit import Action as AuditAction
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.errors import DomainError

# What a move sets besides the state: a dict, or a function of the locked, fresh row when a value depends on it
# (a deadline computed from the category the row has now).
Fields = Mapping[str, Any] | Callable[[models.Model], Mapping[str, Any]] | None


@dataclasses.dataclass(frozen=True)
class Action:
    """One thing a person does to an object."""

    name: str
    # The heading of its form on the page, and the deed in a refusal: "研判", "记录进展".
    label: str
    # Shown after it succeeded; may name the object: "回音卡 {obj} 已作废。"
    done: str
    # The state it moves to; None for a note or a hand-over, after which the state is what it was.
    target: str | None = None
    # The states it is offered in. None: for a move, every state the map lets reach `target`; for a note, every
    # open state.
    sources: frozenset[str] | None = None
    # Who may, given (user, obj). None: whoever may open the page that offers it (the page checks).
    may: Callable[[Any, Any], bool] | None = None
    # Dotted path of its form class, None for a plain button. A path, imported on first use, because forms
    # import the services, which import the workflow.
    form: str | None = None
    # The submit button's text, when it should differ from the label.
    button: str = ""
    # Asked before it is done, for a step that is not easily undone.
    confirm: str = ""
    # An exception rather than the next step (改派, 移交): its form is offered folded.
    aside: bool = False

    @cached_property
    def form_class(self) -> type | None:
        return import_string(self.form) if self.form else None

    @property
    def button_text(self) -> str:
        return self.button or self.label

    def done_message(self, obj: models.Model) -> str:
        return self.done.format(obj=obj)


class Workflow:
    """The transition map of one model, its action registry, and the one way to move an object of it."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        transitions: Mapping[str, Iterable[str]],
        history: type[models.Model],
        history_of: str,
        error: type[DomainError],
        refusal: str,
        actions: Iterable[Action] = (),
        final: Iterable[str] | None = None,
    ):
        """`refusal` is the message of a refused move, formatted with `obj`, `state` (its label) and `deed`
        ("转为“办结”", or an action's label). `final` are the states in which nothing is pending, the complement
        of the open states; by default those the map lets nothing leave. A model whose final state can be left
        (a closed matter reopened) names them."""
        self.model = model
        self.history = history
        self.history_of = history_of
        self.error = error
        self.refusal = refusal
        self.labels: dict[str, str] = dict(model._meta.get_field("state").flatchoices)
        self.transitions: dict[str, frozenset[str]] = {state: frozenset(to) for state, to in transitions.items()}
        self._check_map()
        final = {state for state, to in self.transitions.items() if not to} if final is None else set(final)
        self._check_states(final, "final states")
        self.open_states: tuple[str, ...] = tuple(state for state in self.labels if state not in final)
        self.actions: dict[str, Action] = {}
        for action in actions:
            self._register(action)
        # Written on every save, so a move's update_fields must name them too.
        self._auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]

    # The registry.

    def _check_map(self) -> None:
        if set(self.transitions) != set(self.labels):
            raise ImproperlyConfigured(f"{self.model.__name__}: the map must name every state once.")
        for targets in self.transitions.values():
            self._check_states(targets, "the map")

    def _check_states(self, states: Iterable[str], where: str) -> None:
        unknown = set(states) - set(self.labels)
        if unknown:
            raise ImproperlyConfigured(f"{self.model.__name__}: {where} name unknown states {sorted(unknown)}.")

    def _register(self, action: Action) -> None:
        where = f"{self.model.__name__} action {action.name!r}"
        if action.name in self.actions:
            raise ImproperlyConfigured(f"{where} is registered twice.")
        if action.target is not None:
            self._check_states([action.target], where)
        if action.sources is not None:
            sources = frozenset(action.sources)
            self._check_states(sources, where)
        elif action.target is None:
            sources = frozenset(self.open_states)
        else:
            sources = frozenset(state for state, to in self.transitions.items() if action.target in to)
        if not sources:
            raise ImproperlyConfigured(f"{where}: no state offers it.")
        if action.target is not None:
            forbidden = {state for state in sources if action.target not in self.transitions[state]}
            if forbidden:
                raise ImproperlyConfigured(f"{where}: the map forbids {sorted(forbidden)} → {action.target}.")
        self.actions[action.name] = dataclasses.replace(action, sources=sources)

    def action(self, name: str) -> Action:
        return self.actions[name]

    def actions_for(self, user, obj: models.Model) -> list[Action]:
        """What `user` may do to `obj` in its state now, in the registry's order."""
        return [
            action
            for action in self.actions.values()
            if obj.state in action.sources and (action.may is None or action.may(user, obj))
        ]

    def is_open(self, state: str) -> bool:
        return state in self.open_states

    # Moving.

    def lock(self, obj: models.Model, *, action: str | None = None) -> models.Model:
        """The row, fresh and locked for the transaction; with `action`, refused unless its state offers it."""
        locked = self.model.objects.select_for_update().get(pk=obj.pk)
        if action is not None and locked.state not in self.actions[action].sources:
            raise self._refused(locked, self.actions[action].label)
        return locked

    @transaction.atomic
    def act(self, obj, name: str, *, actor, note: str, request=None, fields: Fields = None) -> models.Model:
        """Do the registered action `name`, which moves the object: refused unless its state offers it."""
        target = self.actions[name].target
        if target is None:
            raise ValueError(f"{name!r} does not move the object; lock it with the action and record a note.")
        return self._move(obj, target, action=name, actor=actor, note=note, request=request, fields=fields)

    @transaction.atomic
    def move(self, obj, to_state: str, *, actor, note: str, request=None, fields: Fields = None) -> models.Model:
        """A move no person chooses on the page (a callback reopens a matter, a resident's echo uses a card):
        checked against the map only."""
        return self._move(obj, to_state, action=None, actor=actor, note=note, request=request, fields=fields)

    def _move(self, obj, to_state, *, action, actor, note, request, fields) -> models.Model:
        deed = f"转为“{self.labels[to_state]}”"
        locked = self.model.objects.select_for_update().get(pk=obj.pk)
        from_state = locked.state
        if to_state not in self.transitions[from_state] or (action and from_state not in self.actions[action].sources):
            raise self._refused(locked, deed)
        values = fields(locked) if callable(fields) else dict(fields or {})
        for name, value in values.items():
            setattr(locked, name, value)
        locked.state = to_state
        locked.save(update_fields=["state", *self._auto_now, *values])
        self.record(locked, from_state=from_state, actor=actor, note=note)
        audit_record(
            action=AuditAction.STATE_CHANGED,
            actor=actor,
            request=request,
            target=locked,
            detail={"from": from_state, "to": to_state},
        )
        return locked

    def begin(self, obj: models.Model, *, actor, note: str, request=None) -> models.Model:
        """The first history row and audit entry of an object just created in its first state."""
        self.record(obj, from_state="", actor=actor, note=note)
        audit_record(
            action=AuditAction.STATE_CHANGED, actor=actor, request=request, target=obj, detail={"to": obj.state}
        )
        return obj

    def record(self, obj: models.Model, *, actor, note: str, from_state: str | None = None) -> models.Model:
        """A history row for `obj` as it is now; without `from_state`, a note the state does not change by."""
        return self.history.objects.create(
            **{self.history_of: obj},
            from_state=obj.state if from_state is None else from_state,
            to_state=obj.state,
            actor=actor,
            note=note,
        )

    # Reading the history. A note recorded while an object stays in a state (`record` without `from_state`: a
    # category confirmed on a closed matter, a resident's rating) is a row from that state to itself, and no move.

    def moves_into(self, state: str) -> models.QuerySet:
        """History rows of moves into `state` from another one (a closing, not a note written on a closed one)."""
        return self.history.objects.filter(to_state=state).exclude(from_state=state)

    def moves_out_of(self, state: str) -> models.QuerySet:
        """History rows of moves out of `state` (a reopening)."""
        return self.history.objects.filter(from_state=state).exclude(to_state=state)

    def entered_between(self, state: str, start: date | None, end: date | None) -> models.Exists:
        """Objects with a move into `state` in the days from `start` to `end` (either left open), for a filter: one
        that moved there then and has left it since is one of them, as the dashboard counts such moves."""
        moves = self.moves_into(state).filter(**{self.history_of: models.OuterRef("pk")})
        if start:
            moves = moves.filter(at__gte=midnight(start))
        if end:
            moves = moves.filter(at__lt=midnight(end + timedelta(days=1)))
        return models.Exists(moves)

    def _refused(self, obj: models.Model, deed: str) -> DomainError:
        return self.error(self.refusal.format(obj=obj, state=self.labels[obj.state], deed=deed))
