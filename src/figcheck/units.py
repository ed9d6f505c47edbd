"""The one pint registry: pint's units plus figcheck's own (units.txt)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pint

UNITS_FILE = Path(__file__).with_name("units.txt")


#: The registry type (pint's registry is generic over the magnitude type; figcheck uses floats).
Registry = pint.UnitRegistry[float]


@lru_cache(maxsize=1)
def build_registry() -> Registry:
    """Build (once per process) the unit registry every stage shares.

    Pass it down rather than building another: pint refuses to mix quantities of two registries.

    Example:
        >>> ureg = build_registry()
        >>> str((3 * ureg.person + 4 * ureg.person).units)
        'person'
    """
    ureg: Registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.load_definitions(str(UNITS_FILE))
    return ureg


def unit_name(unit: str) -> str:
    """The canonical pint name for ``unit`` ("people" -> "person"), or ``""`` for no unit."""
    if not unit:
        return ""
    return str(build_registry().parse_units(unit))


def same_dimension(a: str, b: str) -> bool:
    """Whether quantities in units ``a`` and ``b`` can be added (both empty counts as bare numbers)."""
    if not a or not b:
        return a == b
    ureg = build_registry()
    return bool(ureg.parse_units(a).dimensionality == ureg.parse_units(b).dimensionality)
