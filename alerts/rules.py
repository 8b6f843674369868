"""Alert rules as data: a YAML file validated at load (first version: ``any`` and ``threshold``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class RulesError(ValueError):
    """The rule file is unusable; the message is one line naming the rule and key."""


class Rule(BaseModel):
    """One rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    type: Literal["any", "threshold"]
    group_by: Literal["theater", "country", "global"] = "theater"
    metric: Literal["score", "killed", "strike", "articles"] = "score"
    requires: list[str] = Field(default_factory=list, description="summary flags that must hold")
    window: int = Field(3600, gt=0, description="seconds")
    severities: dict[str, float]


class RuleSet(BaseModel):
    """All rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: list[Rule]

    @classmethod
    def from_yaml(cls, text: str, name: str = "rules.yaml") -> RuleSet:
        """Parse and validate."""
        try:
            data = yaml.safe_load(text)
            return cls.model_validate(data)
        except yaml.YAMLError as exc:
            msg = f"{name}: YAML error: {exc}".replace("\n", " ")
            raise RulesError(msg) from None
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = f"{name}: {loc}: {err['msg']}"
            raise RulesError(msg) from None

    @classmethod
    def load(cls, path: Path | str) -> RuleSet:
        """Read a rule file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            msg = f"{p}: cannot read rules: {exc.strerror}"
            raise RulesError(msg) from None
        return cls.from_yaml(text, str(p))
