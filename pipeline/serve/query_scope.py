"""The dashboard's shared filters and SQL fragments: `Filters`, the scope of a query (`_scope`, `_cube_where`),
the kind of an agency (government or department), the order of levels, the check of a measure's name."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.spec.agency_kind import KIND_SQL, LEVEL_ORDER_SQL  # noqa: F401  (KIND_SQL: re-exported)
from pipeline.spec.measures import MEASURES


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    search: str = ""
    agency_ids: tuple[str, ...] = field(default=())
    verified_only: bool = False   # leave out values whose facts the report's identities do not confirm

    def agency_where(self, alias: str = "a") -> tuple[str, list]:
        where, params = ["true"], []
        for col, values in (("province", self.provinces), ("city", self.cities), ("level", self.levels),
                            ("sector", self.sectors), ("agency_id", self.agency_ids)):
            if values:
                where.append(f"{alias}.{col} in (select unnest(?::varchar[]))")
                params.append(list(values))
        if self.search.strip():
            # the search is literal text: % and _ in it are not wildcards
            where.append(f"({alias}.name like ? escape '\\' or list_contains({alias}.aliases, ?))")
            literal = self.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [f"%{literal}%", self.search.strip()]
        return " and ".join(where), params

    def year_where(self, col: str = "year") -> tuple[str, list]:
        where, params = ["true"], []
        if self.year_from is not None:
            where.append(f"{col} >= ?")
            params.append(self.year_from)
        if self.year_to is not None:
            where.append(f"{col} <= ?")
            params.append(self.year_to)
        return " and ".join(where), params


def _q(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).fetchdf()


def _scope(flt: Filters, table_alias: str = "t") -> tuple[str, list]:
    aw, ap = flt.agency_where("a")
    yw, yp = flt.year_where(f"{table_alias}.year")
    return (f"{table_alias}.agency_id in (select a.agency_id from agencies a where {aw}) and {yw}", ap + yp)


_LEVEL_ORDER = LEVEL_ORDER_SQL


def _cube_where(flt: Filters, alias: str = "c") -> tuple[str, list]:
    """Filters the pre-aggregated cube can answer: province, city, level, sector and years."""
    where, params = ["true"], []
    for col, values in (("province", flt.provinces), ("city", flt.cities), ("level", flt.levels), ("sector", flt.sectors)):
        if values:
            where.append(f"{alias}.{col} in (select unnest(?::varchar[]))")
            params.append(list(values))
    yw, yp = flt.year_where(f"{alias}.year")
    return " and ".join(where + [yw]), params + yp


def _check_measure(measure: str) -> None:
    """Measures are column names in SQL: only the known ones pass."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
