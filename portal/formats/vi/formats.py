# One format per kind of date (see portal/formats/en/formats.py), written as Vietnamese writes dates:
# "12 tháng 12, 2026", the month as "tháng" and its number, not Django's "Tháng 12" title-cased in
# the middle of a sentence; a day and time starts with the weekday, commas between the parts.
DATE_FORMAT = r"j \t\h\á\n\g n, Y"
DATETIME_FORMAT = r"D, j \t\h\á\n\g n, Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"F \n\ă\m Y"
SHORT_DATE_FORMAT = r"j \t\h\á\n\g n, Y"
SHORT_DATETIME_FORMAT = r"D, j \t\h\á\n\g n, Y, H:i"
# Amounts ("2g") are grouped by thousands in every language, with the separators Django gives the language.
NUMBER_GROUPING = 3
