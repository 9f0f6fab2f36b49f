"""Rendering a person's data copy (PIPL 45): JSON, CSV tables in a zip, and an HTML summary in zh or en.

The renderers know no domain: they read only the `Holdings` contract, so a new kind of data held
needs a new `Section` from the gatherer and nothing here.
"""

from __future__ import annotations

from consentgate.runtime.rights.export.archive import export_zip
from consentgate.runtime.rights.export.document import export_json
from consentgate.runtime.rights.export.html import UnsupportedExportLanguage, export_html

__all__ = ["UnsupportedExportLanguage", "export_html", "export_json", "export_zip"]
