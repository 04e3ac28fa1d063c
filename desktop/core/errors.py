"""One error hierarchy; every message is Chinese and says what and where, for a clerk."""
from __future__ import annotations


class CbecError(Exception):
    """Base of every refusal the program explains to the clerk (CLI exit 1, GUI message box)."""

    exit_code = 1

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message if not self.detail else f"{self.message}\n{self.detail}"


class ValidationError(CbecError):
    """A value the clerk typed or imported is not acceptable. `field` names the column."""

    def __init__(self, message: str, *, field: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.field = field


class PeriodError(ValidationError):
    pass


class CreditCodeError(ValidationError):
    pass


class DataFolderError(CbecError):
    """The data folder is missing, read-only, or locked by another running copy."""


class DatabaseError(CbecError):
    """The database cannot be opened, is corrupt, belongs elsewhere or is too new."""


class SchemaTooNewError(DatabaseError):
    pass


class NotInitialisedError(DatabaseError):
    pass


class RoleError(CbecError):
    """The action does not fit this installation's role (county vs municipal) or unit."""


class ReferenceDataError(CbecError):
    pass


class LockedPeriodError(CbecError):
    """The period is submitted and read-only until it is reopened with 更正."""


class FileFormatError(CbecError):
    """An input file (workbook, package) cannot be read; the message names the file and place."""


class OutputFileError(CbecError):
    """An output file cannot be written (e.g. it is open in Excel/WPS)."""
