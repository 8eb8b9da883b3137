"""The ISO week a report covers: parsed from `YYYY-Www`, with its dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from extractors.errors import PresswatchError


class WeekError(PresswatchError, ValueError):
    """Text that is not an ISO week (YYYY-Www) that exists; a ValueError too, for callers that catch that."""


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, value: str) -> Week:
        try:
            year_s, week_s = value.strip().upper().split("-W")
            year, number = int(year_s), int(week_s)
        except ValueError:
            raise WeekError(f"invalid ISO week {value!r}: expected YYYY-Www, e.g. 2015-W33") from None
        if not 1 <= year <= 9999:
            raise WeekError(f"invalid ISO week {value!r}: the year must be between 1 and 9999")
        weeks = date(year, 12, 28).isocalendar().week  # 28 December always falls in a year's last ISO week
        if not 1 <= number <= weeks:
            raise WeekError(f"{year} has {weeks} ISO weeks: {value.strip()} does not exist")
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def last_complete(cls, today: date) -> Week:
        return cls.of(today - timedelta(days=today.isoweekday()))

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:  # exclusive
        return self.start + timedelta(days=7)

    def previous(self) -> Week:
        return Week.of(self.start - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"
