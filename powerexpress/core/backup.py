"""Backup and restore of one installation: the database and every file under the data directory.

A backup set is one directory::

    manifest.json       files (size, SHA-256), row counts per table, created_at, app version
    database.sqlite3    SQLite: a copy made with SQLite's online backup API (one read snapshot)
    database.pgdump     PostgreSQL: ``pg_dump -Fc`` taken in the snapshot the row counts were read in
    data/…              every file under DATA_DIR (interval data, archives …)
    media/…             uploaded photos, when MEDIA_ROOT lies outside DATA_DIR

The database is copied first and the files second: files are written only for committed rows,
so every row of the copy finds its file (a file written later is an orphan, never a gap).
Restore verifies every checksum before it touches anything and compares row counts after.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHUNK_BYTES = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreOutcome:
    manifest: dict
    files: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("powerexpress")
    except metadata.PackageNotFoundError:
        return "unknown"


# The files of the data directory


def data_roots() -> dict[str, Path]:
    """Folder name in the set → folder on disk: DATA_DIR, and MEDIA_ROOT when it lies outside."""
    data = Path(settings.DATA_DIR).resolve()
    roots = {"data": data}
    media = settings.MEDIA_ROOT
    if media and not Path(media).resolve().is_relative_to(data):
        roots["media"] = Path(media).resolve()
    return roots


def _skipped_paths(extra: tuple[Path, ...] = ()) -> list[Path]:
    """What a backup leaves out of the data directory: the live SQLite files (copied through the
    backup API instead), collected static files (rebuilt by ``collectstatic``) and the embedded
    broker's folder (queued messages and task results belong to the running installation)."""
    skipped = [Path(p).resolve() for p in extra]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if not name.startswith("file:") and name != ":memory:":
            base = Path(name).resolve()
            skipped += [base, *(base.with_name(base.name + end) for end in ("-wal", "-shm", "-journal"))]
    for folder in (settings.STATIC_ROOT, settings.CELERY_DIR):
        if folder:
            skipped.append(Path(folder).resolve())
    return skipped


def data_files(extra_skipped: tuple[Path, ...] = ()) -> list[tuple[str, Path]]:
    """(path in the set, path on disk) of every file to back up, in a stable order."""
    skipped = _skipped_paths(extra_skipped)
    found = []
    for prefix, root in data_roots().items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or any(path == s or path.is_relative_to(s) for s in skipped):
                continue
            found.append((f"{prefix}/{path.relative_to(root).as_posix()}", path))
    return found


# The database


def _quote(table: str) -> str:
    return connection.ops.quote_name(table)


def _sqlite_backup(target: Path) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API in one step (one read snapshot),
    then count the rows of the copy."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm
    finally:
        destination.close()
    copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The database copy fails SQLite's integrity check.")
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        copy.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of the server's major "
            f"version (Debian/Ubuntu: apt-get install postgresql-client) and try again."
        )
    return path


def _pg_connection_args() -> tuple[list[str], dict[str, str], dict]:
    """Command-line options, environment and psycopg keywords for the configured database."""
    conf = connection.settings_dict
    options, env, kwargs = [], dict(os.environ), {"dbname": conf["NAME"]}
    for flag, key, keyword in (
        ("--host", "HOST", "host"),
        ("--port", "PORT", "port"),
        ("--username", "USER", "user"),
    ):
        if conf.get(key):
            options.append(f"{flag}={conf[key]}")
            kwargs[keyword] = str(conf[key])
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
        kwargs["password"] = conf["PASSWORD"]
    return options, env, kwargs


def _pg_backup(target: Path) -> dict[str, int]:
    """Count the rows and run ``pg_dump -Fc`` in one exported snapshot, so that both describe the
    same moment while the application keeps writing."""
    import psycopg
    from psycopg import sql

    pg_dump = _pg_tool("pg_dump")
    options, env, kwargs = _pg_connection_args()
    with psycopg.connect(**kwargs) as snapshot_conn:
        snapshot_conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot = snapshot_conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            row[0]
            for row in snapshot_conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        counts = {
            table: snapshot_conn.execute(
                sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
        result = subprocess.run(
            [
                pg_dump,
                *options,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                kwargs["dbname"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        snapshot_conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


def _pg_restore(source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    options, env, kwargs = _pg_connection_args()
    connection.close()
    result = subprocess.run(
        [
            pg_restore,
            *options,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={kwargs['dbname']}",
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _sqlite_restore(source: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy.backup(connection.connection)
    finally:
        copy.close()


def table_counts(tables) -> dict[str, int]:
    """Rows per table in the live database (tables it lacks count as -1)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            if table not in existing:
                counts[table] = -1
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def database_is_empty() -> bool:
    """True for a new database: not migrated yet, or migrated with no user and no bureau."""
    existing = set(connection.introspection.table_names())
    user_model, bureau_model = apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("registry", "Bureau")
    if not {user_model._meta.db_table, bureau_model._meta.db_table} <= existing:
        return True
    return not user_model.objects.exists() and not bureau_model.objects.exists()


# Sets


def backup_create(*, target: Path, progress=None) -> dict:
    """Write a backup set into ``target`` (a new or empty directory) and verify it; return its manifest."""
    say = progress or (lambda message: None)
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    engine = connection.vendor
    if engine not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of {engine} databases are not supported.")
    db_name = SQLITE_FILE if engine == "sqlite" else PG_FILE
    say(f"database ({engine}) …")
    counts = _sqlite_backup(target / db_name) if engine == "sqlite" else _pg_backup(target / db_name)
    files = [_file_entry(target, db_name)]
    say("files …")
    for name, path in data_files(extra_skipped=(target,)):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files.append(_file_entry(target, name))
    manifest = {
        "format": FORMAT,
        "app_version": _app_version(),
        "created_at": timezone.localtime().isoformat(),
        "database": {"engine": engine, "file": db_name, "tables": counts},
        "roots": {prefix: str(path) for prefix, path in data_roots().items()},
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    say("verifying …")
    backup_verify(source=target)
    if engine == "postgresql":
        _pg_dump_readable(target / db_name)
    return manifest


def _pg_dump_readable(path: Path) -> None:
    """``pg_restore --list`` reads the dump's table of contents: a truncated dump fails here."""
    result = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"The dump cannot be read back: {result.stderr.strip()}")


def _file_entry(base: Path, name: str) -> dict:
    path = base / name
    return {"path": name, "size": path.stat().st_size, "sha256": file_sha256(path)}


def backup_verify(*, source: Path) -> dict:
    """Check a set against its manifest (every file present, same size and SHA-256, nothing extra);
    return the manifest or raise ``BackupError`` naming what is wrong."""
    source = Path(source).resolve()
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} holds no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    listed = set()
    for entry in manifest["files"]:
        name = entry["path"]
        path = (source / name).resolve()
        if not path.is_relative_to(source) or name == MANIFEST:
            raise BackupError(f"The manifest names a file outside the set: {name}")
        listed.add(path)
        if not path.is_file():
            raise BackupError(f"{name} is missing from the set.")
        if path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the set is damaged or was changed.")
    extra = [p for p in source.rglob("*") if p.is_file() and p.name != MANIFEST and p.resolve() not in listed]
    if extra:
        raise BackupError(f"{extra[0].relative_to(source)} is in the set but not in its manifest.")
    return manifest


def data_dir_is_empty() -> bool:
    return not data_files()


def backup_restore(*, source: Path, force: bool = False, progress=None) -> RestoreOutcome:
    """Restore a set into this installation's database and data directory.

    Verifies every checksum first; refuses a database or data directory that already holds data
    unless ``force``; afterwards compares every table's row count with the manifest.
    """
    say = progress or (lambda message: None)
    source = Path(source).resolve()
    say("verifying the set …")
    manifest = backup_verify(source=source)
    database = manifest["database"]
    if database["engine"] != connection.vendor:
        raise BackupError(
            f"The set holds a {database['engine']} database; this installation uses {connection.vendor}."
        )
    if not force and not database_is_empty():
        raise BackupError("The database already holds data (users or a bureau); use --force to replace it.")
    if not force and not data_dir_is_empty():
        raise BackupError("The data directory already holds files; use --force to write over them.")
    say("database …")
    if database["engine"] == "sqlite":
        _sqlite_restore(source / database["file"])
    else:
        _pg_restore(source / database["file"])
    outcome = RestoreOutcome(manifest=manifest)
    say("files …")
    roots = {"data": Path(settings.DATA_DIR), "media": Path(settings.MEDIA_ROOT)}
    for entry in manifest["files"]:
        prefix, _sep, rest = entry["path"].partition("/")
        if not rest:
            continue
        root = roots.get(prefix, roots["data"] / prefix)
        _restore_file(source / entry["path"], root / rest, entry["sha256"])
        outcome.files += 1
    say("counting rows …")
    counts = table_counts(database["tables"])
    wrong = {t: (counts[t], n) for t, n in database["tables"].items() if counts[t] != n}
    if wrong:
        table, (found, expected) = sorted(wrong.items())[0]
        raise BackupError(f"After the restore {table} has {found} rows; the set says {expected}.")
    outcome.rows = sum(counts.values())
    return outcome


def _restore_file(source: Path, destination: Path, sha256: str) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".restoring")
    shutil.copy2(source, partial)
    if file_sha256(partial) != sha256:
        partial.unlink()
        raise BackupError(f"{destination} was not written intact.")
    os.replace(partial, destination)
