"""``powerexpress grid-check``: where the partitions' metadata and the Parquet files disagree,
and the repair of it.

Findings (each with a machine-readable ``code``):

- ``staged_file`` — a file still staged (``*.parquet.staged``): its upload never committed.
- ``orphan_file`` — ``file-<id>.parquet`` whose accepted upload (``IntervalFile``) does not exist.
- ``rows_mismatch`` — a partition whose recorded number of readings differs from its files'.
- ``missing_partition`` — files in a folder no partition row describes.
- ``empty_partition`` — a partition row without any file.

The repair deletes staged and orphan files, sets each partition's readings from its files (and
marks transformer partitions for detection again), creates the missing rows and deletes the
empty ones — all the database changes in one transaction.
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import transaction

from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind, FileStatus
from powerexpress.grid.models import IntervalFile, Partition
from powerexpress.registry.models import SupplyStation

_FILE = re.compile(r"^file-(\d+)\.parquet$")
_FOLDER = re.compile(r"^station=(?P<station>.+)/month=(?P<month>\d{4}-\d{2})$")


@dataclass(frozen=True)
class Finding:
    code: str
    kind: str
    station_code: str
    month: dt.date | None
    path: str
    detail: str


def _folders() -> dict[tuple[str, str, dt.date], Path]:
    found = {}
    for kind in DataKind.values:
        base = storage.root() / kind
        if not base.is_dir():
            continue
        for folder in base.glob("station=*/month=*"):
            match = _FOLDER.match(f"{folder.parent.name}/{folder.name}")
            if match:
                month = dt.date.fromisoformat(match["month"] + "-01")
                found[(kind, match["station"], month)] = folder
    return found


def _rows(paths: list[Path]) -> int:
    return int(pl.scan_parquet(paths).select(pl.len()).collect().item()) if paths else 0


def grid_check(*, repair: bool = False) -> list[Finding]:
    """All findings; with ``repair`` also fix them (see the module's docstring)."""
    accepted = set(IntervalFile.objects.filter(status=FileStatus.ACCEPTED).values_list("pk", flat=True))
    partitions = {(p.kind, p.station.code, p.month): p for p in Partition.objects.select_related("station")}
    findings, to_delete, counts = [], [], {}
    folders = _folders()
    for key, folder in sorted(folders.items(), key=lambda item: (item[0][0], item[0][1], item[0][2])):
        kind, station_code, month = key
        for path in sorted(folder.glob(f"*{storage.STAGED_SUFFIX}")):
            findings.append(Finding("staged_file", kind, station_code, month, str(path), ""))
            to_delete.append(path)
        kept = []
        for path in sorted(folder.glob("*.parquet")):
            match = _FILE.match(path.name)
            if match and int(match[1]) not in accepted:
                findings.append(Finding("orphan_file", kind, station_code, month, str(path), match[1]))
                to_delete.append(path)
            else:
                kept.append(path)
        counts[key] = _rows(kept)
    for key, rows in counts.items():
        kind, station_code, month = key
        partition = partitions.get(key)
        if partition is None and rows:
            findings.append(
                Finding("missing_partition", kind, station_code, month, str(folders[key]), str(rows))
            )
        elif partition is not None and partition.rows != rows:
            detail = f"{partition.rows} → {rows}"
            findings.append(Finding("rows_mismatch", kind, station_code, month, str(folders[key]), detail))
    for key, partition in partitions.items():
        if counts.get(key, 0) == 0 and key not in counts:
            findings.append(Finding("empty_partition", key[0], key[1], key[2], "", str(partition.rows)))
    if repair and findings:
        _repair(findings, partitions, counts, to_delete)
    return findings


def _repair(findings, partitions, counts, to_delete) -> None:
    stations = {s.code: s for s in SupplyStation.objects.all()}
    with transaction.atomic():
        for finding in findings:
            key = (finding.kind, finding.station_code, finding.month)
            if finding.code == "rows_mismatch":
                Partition.objects.filter(pk=partitions[key].pk).update(rows=counts[key], detected_at=None)
            elif finding.code == "missing_partition" and finding.station_code in stations:
                Partition.objects.create(
                    kind=finding.kind,
                    station=stations[finding.station_code],
                    month=finding.month,
                    rows=counts[key],
                )
            elif finding.code == "empty_partition":
                Partition.objects.filter(pk=partitions[key].pk).delete()
        transaction.on_commit(lambda: storage.discard(to_delete))
