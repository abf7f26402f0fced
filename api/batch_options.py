"""A batch submission's own options, checked before the file is read (nothing is written
when one is refused): the batch's client reference and its completion callback URL
(422 naming the field and the rule, in Vietnamese and English)."""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import InvalidQueryError
from batch.callback import Callback, url_problem
from core import client_reference as reference_rule
from core.settings import Settings
from core.webhooks import MAX_URL_LENGTH
from query.problems import problem


@dataclass(frozen=True)
class Submission:
    client_reference: str | None
    callback: Callback | None


def submission(client_reference: str | None, callback_url: str | None,
               settings: Settings) -> Submission:
    """The options as stored, or ``InvalidQueryError`` (422) naming what is wrong."""
    problems = []
    reference = None
    try:
        reference = reference_rule.clean(client_reference)
    except reference_rule.ClientReferenceError as exc:
        problems.append(problem("client_reference", exc.rule, limit=reference_rule.MAX_LENGTH))
    if callback_url is not None:
        rule = url_problem(callback_url, settings)
        if rule is not None:
            problems.append(problem("callback_url", rule, limit=MAX_URL_LENGTH))
    if problems:
        raise InvalidQueryError(*problems)
    return Submission(reference, None if callback_url is None else Callback.new(callback_url))
