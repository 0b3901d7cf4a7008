# One format per kind of date, the same in every language the portal speaks (the names of days and
# months come from the language): a day, a day and time, a time, a month. Templates use them through
# {% when %} (portal/templatetags/portal.py) or by these names.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "D j M Y, H:i"
# Amounts ("2g") are grouped by thousands in every language, with the separators Django gives the language.
NUMBER_GROUPING = 3
