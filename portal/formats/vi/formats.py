# One format per kind of date (see portal/formats/en/formats.py), written as Vietnamese writes dates:
# "12 tháng 12, 2026", the month as "tháng" and its number, not Django's "Tháng 12" title-cased in
# the middle of a sentence; a day and time starts with the weekday, commas between the parts.
DATE_FORMAT = r"j \t\h\á\n\g n, Y"
DATETIME_FORMAT = r"D, j \t\h\á\n\g n, Y, H:i"
TIME_FORMAT = "H:i"
# A month, lower-case as within a sentence ("khách hàng từ tháng 2 năm 2019", CLDR's form); a heading
# that starts with one capitalises it (|capfirst).
YEAR_MONTH_FORMAT = r"\t\h\á\n\g n \n\ă\m Y"
# A month under a chart's column (portal.lib.dates.short_month): CLDR's abbreviation.
CHART_MONTH_FORMAT = r"\T\h\g n"
SHORT_DATE_FORMAT = r"j \t\h\á\n\g n, Y"
SHORT_DATETIME_FORMAT = r"D, j \t\h\á\n\g n, Y, H:i"
# Amounts ("2g") are grouped by thousands in every language, with the separators Django gives the language.
NUMBER_GROUPING = 3
