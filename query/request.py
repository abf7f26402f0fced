"""The search request: exactly one criterion with its options, validated as every entry
point takes it (the API's ``POST /v1/search`` body, each criterion of a batch row, the
search page). Its refusals are worded by ``query.problems``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core import client_reference
from query.criteria import CRITERIA

MAX_VALUE_LENGTH = 200


_WHITESPACE = frozenset("\t\n\r")
#: Control characters other than tab and line breaks, as a regular expression class.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
#: What the server takes for a criterion's value, for the schema: no control character,
#: and something besides white space.
VALUE_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"


def _has_control(value: str) -> bool:
    """Control characters other than tab and line breaks (which are white space)."""
    return any(((ord(ch) < 32) and ch not in _WHITESPACE) or (0x7F <= ord(ch) < 0xA0)
               for ch in value)


#: For the other bodies that take a criterion's value (watch entries).
has_control_characters = _has_control


def _range_of(low: int, high: int) -> WrapValidator:
    """Out of range names both bounds (pydantic's own error names only the one broken)."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if any(e["type"] in ("greater_than_equal", "less_than_equal")
                   for e in exc.errors()):
                raise PydanticCustomError("range", "out of range",
                                          {"ge": low, "le": high}) from None
            raise

    return WrapValidator(check)


def _client_reference(value: str | None) -> str | None:
    """``core.client_reference``'s rule, refused as a named rule of the field."""
    try:
        return client_reference.clean(value)
    except client_reference.ClientReferenceError as exc:
        raise PydanticCustomError(exc.rule, "client reference",
                                  {"limit": client_reference.MAX_LENGTH}) from None


#: The bank's own loan or file number (optional): echoed, stored, printed, listed.
ClientReference = Annotated[
    str | None, AfterValidator(_client_reference),
    Field(description=(
        f"Your own reference (loan or file number), at most {client_reference.MAX_LENGTH}"
        " characters: starts with a letter or digit, then letters, digits, spaces and"
        " - _ . / : # ( ). Echoed, printed on certificates, listed on statements."),
        json_schema_extra={"maxLength": client_reference.MAX_LENGTH})]


ExactOffset = Annotated[int, Field(ge=0, le=1_000_000), _range_of(0, 1_000_000)]
PageLimit = Annotated[int, Field(ge=1, le=1000), _range_of(1, 1000)]
CloseOffset = Annotated[int, Field(ge=0, le=100_000), _range_of(0, 100_000)]


def _one_criterion_schema(schema: dict[str, Any]) -> None:
    """The rules of ``SearchRequest._one_criterion`` in the JSON schema, as far as a
    schema can say them: exactly one criterion, a value that is not empty, not only white
    space and holds no control character, the party type with a name only and the ID type
    with an ID number only. (That a value must keep a letter or digit after normalisation
    it cannot say: that is a 422 ``no_searchable_characters``.)"""
    properties = schema["properties"]
    for name in CRITERIA:
        description = properties[name].get("description")
        properties[name] = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH,
                            "pattern": VALUE_PATTERN, "title": properties[name].get("title")}
        if description:
            properties[name]["description"] = description
    schema["oneOf"] = [{"required": [name]} for name in CRITERIA]
    schema["dependentRequired"] = {"party_type": ["debtor_name"], "id_type": ["id_number"]}
    schema["examples"] = [{"debtor_name": "Nguyen Van Tu", "party_type": "individual"},
                          {"chassis_number": "RLHJC5218HY012345"}]


class SearchRequest(BaseModel):
    """Exactly one criterion, with its options."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_criterion_schema)

    debtor_name: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    party_type: Literal["individual", "organization"] | None = None
    id_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    id_type: Literal["cmnd", "cccd", "passport", "tax_code", "business_reg", "other"] | None = None
    chassis_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    engine_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    plate_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    registration_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    include_deleted: bool = False
    exact_offset: ExactOffset = 0
    exact_limit: PageLimit = 100
    close_offset: CloseOffset = 0
    close_limit: PageLimit | None = Field(
        default=None, description="Close matches per page (default: the cap)")
    client_reference: ClientReference = None

    @model_validator(mode="after")
    def _one_criterion(self) -> SearchRequest:
        given = [name for name in CRITERIA if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "exactly_one_criterion", "exactly one criterion", {"field": "criteria"})
        name = given[0]
        value: str = getattr(self, name)
        if not value.strip():
            raise PydanticCustomError("not_empty", "empty", {"field": name})
        if _has_control(value):
            raise PydanticCustomError("no_control_characters", "control", {"field": name})
        if self.party_type is not None and name != "debtor_name":
            raise PydanticCustomError(
                "only_with_debtor_name", "party_type", {"field": "party_type"})
        if self.id_type is not None and name != "id_number":
            raise PydanticCustomError("only_with_id_number", "id_type", {"field": "id_type"})
        return self

    @property
    def criterion(self) -> tuple[str, str]:
        for name in CRITERIA:
            value = getattr(self, name)
            if value is not None:
                return name, str(value)
        raise AssertionError("validated request without a criterion")
