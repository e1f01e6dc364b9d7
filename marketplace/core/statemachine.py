"""A small explicit state machine: a transition table and one function that applies it."""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace.core.errors import InvalidTransition

ANY = "*"


@dataclass(frozen=True)
class StateMachine:
    """``transitions`` maps an action to ``{from_state: to_state}``; ``ANY`` matches every state."""

    name: str
    transitions: dict[str, dict[str, str]]
    attribute: str = "status"
    terminal: frozenset[str] = field(default_factory=frozenset)

    def allowed_actions(self, state: str) -> list[str]:
        """Actions that may be taken from ``state``."""
        return sorted(
            action
            for action, moves in self.transitions.items()
            if state in moves or (ANY in moves and state not in self.terminal and moves[ANY] != state)
        )

    def target(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``, or raise InvalidTransition (409)."""
        moves = self.transitions.get(action, {})
        if state in moves:
            return moves[state]
        if ANY in moves and state not in self.terminal and moves[ANY] != state:
            return moves[ANY]
        allowed = self.allowed_actions(state)
        article = "an" if self.name[:1].lower() in "aeiou" else "a"
        raise InvalidTransition(
            f"Cannot {action.replace('_', ' ')} {article} {self.name} that is {state.replace('_', ' ')}.",
            current_state=state,
            allowed_actions=allowed,
        )

    def apply(self, obj, action: str) -> tuple[str, str]:
        """Move ``obj`` by ``action``; return ``(from_state, to_state)``."""
        before = getattr(obj, self.attribute)
        after = self.target(before, action)
        setattr(obj, self.attribute, after)
        return before, after
