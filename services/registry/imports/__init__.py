"""The survey file side of the bulk survey import (issue 14): the column list, the template, reading
an uploaded XLSX/CSV into rows, each row into a ``RegisterHomeIndustryInput``, the Indonesian messages
and the marked workbook returned to the office. No database and no HTTP in this package."""
