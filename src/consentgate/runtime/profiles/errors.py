"""Typed errors of the profile store (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class UnknownAttribute(ConsentgateError):
    """A lineage names an attribute the subject does not have (or whose value was since replaced)."""

    code = "runtime.unknown_attribute"


class UndeclaredLineage(ConsentgateError):
    """A tag derived from data the manifest does not declare it is derived from."""

    code = "runtime.undeclared_lineage"


class NothingToCorrect(ConsentgateError):
    """A correction of an item the subject holds no value of: there is nothing to make accurate."""

    code = "runtime.nothing_to_correct"


class DerivedNotCorrectable(ConsentgateError):
    """A correction aimed at a derived tag: the person corrects what they gave, and the tag follows."""

    code = "runtime.derived_not_correctable"
