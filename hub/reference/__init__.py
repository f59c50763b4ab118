"""The banner's real reference data (towns, communities, member units) and its loading by
``hub init``.

``banner.json`` holds the places and member units of 伊金霍洛旗 (real names only; the codes
are explained in its notes), ``data`` reads it into values, ``loading`` puts what a store lacks
of it into the store. The demo data takes its real places from here too (``hub.demo.places``).
"""

from hub.reference.data import (
    COMPETENT_DEPARTMENT,
    Place,
    ReferenceData,
    ReferenceDataError,
    Unit,
    reference_data,
)

__all__ = [
    "COMPETENT_DEPARTMENT",
    "Place",
    "ReferenceData",
    "ReferenceDataError",
    "Unit",
    "reference_data",
]
