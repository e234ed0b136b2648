"""A typed template's problems (domain.template) in the owner's words: shared by the auto-reply text and
the quick replies, whose messages differ only in their key prefix ("ar", "qr")."""

from __future__ import annotations

import html

from tuberry.app.i18n import Translator
from tuberry.domain.template import AVITO_TEXT_LIMIT, TemplateProblem


def problem_text(t: Translator, problem: TemplateProblem, prefix: str) -> str:
    """One problem of a typed text, in words (safe HTML)."""
    args: dict[str, str] = {"limit": str(AVITO_TEXT_LIMIT)}  # strings: Fluent would print "1 000"
    if problem.variable is not None:
        args["variable"] = html.escape(problem.variable, quote=False)
    if problem.position is not None:
        args["position"] = str(problem.position + 1)
    if problem.length is not None:
        args["length"] = str(problem.length)
        args["over"] = str(problem.length - AVITO_TEXT_LIMIT)
    return t(f"{prefix}-problem-{problem.code}", **args)
