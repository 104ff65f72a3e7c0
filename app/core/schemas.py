from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from app.core.text import foreign_digits


def _ascii_digits_only(value: object) -> object:
    if isinstance(value, str) and foreign_digits(value):
        raise ValueError("a number must be written with the digits 0-9")
    return value


# A sum of money (or any decimal) in a JSON body: pydantic's Decimal reads "٣" and "３" as 3, ours refuses them, as
# every other number the application reads (app.core.text.is_digits).
AsciiDecimal = Annotated[Decimal, BeforeValidator(_ascii_digits_only)]
