"""The contract's rules for names: person names and organisation names.

Words (person name tokens and organisation core words) are compared token by token
under the contract's token rule, with at most one structural difference for the close
tier; see ``docs/matching-contract.md`` and the resolved readings in ``query.classify``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from normalizers.keys import MIN_EDIT_TOKEN
from normalizers.organization import OrganizationName, legal_forms_compatible
from normalizers.person import NameToken, PersonName, y_i_folded
from query import reasons as r
from query.verdict import NO_MATCH, Classification, Tier, best, one_edit, verdict

# --- words (person name tokens and organisation core words) -------------------------

class _Word(Protocol):
    @property
    def exact(self) -> str | None: ...

    @property
    def folded(self) -> str: ...


def _accented(word: _Word) -> bool:
    return word.exact is not None and word.exact != word.folded


def _diacritics_differ(registered: _Word, query: _Word) -> bool:
    """For words equal in N2: does the query's diacritic break the token rule?"""
    return (_accented(query) and registered.exact is not None
            and registered.exact != query.exact)


_Y_TO_I: Final = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def _y_i_diacritics_differ(registered: _Word, query: _Word) -> bool:
    if not _accented(query) or registered.exact is None or query.exact is None:
        return False
    return registered.exact.translate(_Y_TO_I) != query.exact.translate(_Y_TO_I)


def _pairs_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    return any(_diacritics_differ(a, b) for a, b in zip(registered, query, strict=True))


def _reordered_diacritics_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    """Pair each query word with a registered word equal in N2 (preferring one
    that also passes the token rule) and say whether any pair's diacritics differ."""
    remaining = list(registered)
    differ = False
    for word in query:
        same = [c for c in remaining if c.folded == word.folded]
        exact = [c for c in same if not _diacritics_differ(c, word)]
        chosen = exact[0] if exact else same[0]
        differ = differ or not exact
        remaining.remove(chosen)
    return differ


def _joined_diacritics_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    """Diacritics of a regrouped name: each accented query word against the
    registered letters at the same place."""
    registered_exact = "".join(w.exact if w.exact is not None else w.folded for w in registered)
    if len(registered_exact) != sum(len(w.folded) for w in registered):
        return any(_accented(w) for w in query) and registered_exact != "".join(
            w.exact or w.folded for w in query)
    position = 0
    for word in query:
        exact = word.exact if word.exact is not None else word.folded
        if len(exact) != len(word.folded):
            return _accented(word)
        if _accented(word) and registered_exact[position:position + len(exact)] != exact:
            return True
        position += len(exact)
    return False


def _edit_position(registered: Sequence[_Word], query: Sequence[_Word]) -> int | None:
    """Index of the one word (4+ letters on both sides) that differs by one
    edit in N2, all other words equal in N2; else None."""
    differing = [i for i, (a, b) in enumerate(zip(registered, query, strict=True))
                 if a.folded != b.folded]
    if len(differing) != 1:
        return None
    index = differing[0]
    a, b = registered[index].folded, query[index].folded
    if min(len(a), len(b)) >= MIN_EDIT_TOKEN and one_edit(a, b):
        return index
    return None


def _edit_verdict(registered: Sequence[_Word], query: Sequence[_Word]) -> list[str] | None:
    index = _edit_position(registered, query)
    if index is None:
        return None
    others_differ = any(_diacritics_differ(a, b) for i, (a, b)
                        in enumerate(zip(registered, query, strict=True)) if i != index)
    return [r.EDIT_DISTANCE] + ([r.DIACRITICS_DIFFER] if others_differ else [])


def _order_verdict(registered: Sequence[_Word], query: Sequence[_Word]) -> list[str] | None:
    if sorted(w.folded for w in registered) != sorted(w.folded for w in query):
        return None
    differ = _reordered_diacritics_differ(registered, query)
    return [r.TOKEN_ORDER] + ([r.DIACRITICS_DIFFER] if differ else [])


# --- person names -------------------------------------------------------------------

def _compare_person(registered: Sequence[NameToken], query: Sequence[NameToken]
                    ) -> Classification:
    size, query_size = len(registered), len(query)
    if size == 0 or query_size == 0:
        return NO_MATCH
    found: list[Classification] = []
    registered_folded = [t.folded for t in registered]
    query_folded = [t.folded for t in query]
    if size == query_size:
        if registered_folded == query_folded:
            if _pairs_differ(registered, query):
                return verdict("close", [r.DIACRITICS_DIFFER])
            return verdict("exact", [])
        edit = _edit_verdict(registered, query)
        if edit is not None:
            found.append(verdict("close", edit))
        if [y_i_folded(w) for w in registered_folded] == [y_i_folded(w) for w in query_folded]:
            differ = any(
                _y_i_diacritics_differ(a, b) if a.folded != b.folded else _diacritics_differ(a, b)
                for a, b in zip(registered, query, strict=True))
            found.append(verdict("close", [r.Y_I_VARIANT]
                                  + ([r.DIACRITICS_DIFFER] if differ else [])))
        order = _order_verdict(registered, query)
        if order is not None:
            found.append(verdict("close", order))
    elif query_size == size - 1 and size >= 3:
        for i in range(1, size - 1):
            shorter = [*registered[:i], *registered[i + 1:]]
            if registered_folded[:i] + registered_folded[i + 1:] == query_folded:
                differ = _pairs_differ(shorter, query)
                found.append(verdict("close", [r.MISSING_TOKEN]
                                      + ([r.DIACRITICS_DIFFER] if differ else [])))
                break
    elif query_size == size + 1 and query_size >= 3:
        for j in range(1, query_size - 1):
            if query_folded[:j] + query_folded[j + 1:] == registered_folded:
                differ = _pairs_differ(registered, [*query[:j], *query[j + 1:]])
                found.append(verdict("close", [r.EXTRA_TOKEN]
                                      + ([r.DIACRITICS_DIFFER] if differ else [])))
                break
    if registered_folded != query_folded and "".join(registered_folded) == "".join(query_folded):
        differ = _joined_diacritics_differ(registered, query)
        found.append(verdict("close", [r.JOINED_SYLLABLES]
                              + ([r.DIACRITICS_DIFFER] if differ else [])))
    return best(found)


def classify_person(registered: PersonName, readings: Sequence[PersonName]) -> Classification:
    """Best result over the query's readings (with and without an honorific)."""
    return best([_compare_person(registered.tokens, reading.tokens) for reading in readings])


# --- organisation names -------------------------------------------------------------

def _legal_reasons(registered: OrganizationName, query: OrganizationName) -> list[str] | None:
    """Reasons from the legal forms; None when they differ (close at best)."""
    if not query.has_designation:
        return [r.LEGAL_FORM_IGNORED] if registered.has_designation else []
    if registered.branch != query.branch:
        return None
    if query.legal_form is None:
        return [r.LEGAL_FORM_IGNORED] if registered.legal_form is not None else []
    if query.legal_form == registered.legal_form:
        return []
    if legal_forms_compatible(registered.legal_form, query.legal_form):
        return [r.LEGAL_FORM_IGNORED]
    return None


def _compare_core(registered: Sequence[_Word], query: Sequence[_Word]
                  ) -> tuple[Tier, list[str]] | None:
    if len(registered) == len(query):
        if [w.folded for w in registered] == [w.folded for w in query]:
            if _pairs_differ(registered, query):
                return "close", [r.DIACRITICS_DIFFER]
            return "exact", []
        edit = _edit_verdict(registered, query)
        if edit is not None:
            return "close", edit
        order = _order_verdict(registered, query)
        if order is not None:
            return "close", order
    return None


def classify_organization(registered: OrganizationName, query: OrganizationName
                          ) -> Classification:
    if not registered.core or not query.core:
        return NO_MATCH
    legal = _legal_reasons(registered, query)
    legal_codes = legal if legal is not None else [r.LEGAL_FORM_DIFFERS]
    found: list[Classification] = []
    raw = _compare_core(registered.core, query.core)
    if raw is not None:
        tier, codes = raw
        if tier == "exact" and legal is None:
            tier = "close"
        found.append(verdict(tier, codes + legal_codes))
    if (raw is None or raw[0] != "exact") and (registered.abbreviated or query.abbreviated):
        expanded = _compare_core(registered.expanded, query.expanded)
        if expanded is not None:
            found.append(verdict("close", expanded[1] + legal_codes + [r.ABBREVIATION]))
    return best(found)
