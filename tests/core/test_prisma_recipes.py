"""Recipes and templates per Prisma major, and telling an engine download failure apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supatui.core.errors import StepFailed
from supatui.core.prisma import templates
from supatui.core.prisma.engine import engine_download_error, engine_download_failed
from supatui.core.prisma.recipes import (
    PRISMA6,
    PRISMA7,
    choose_recipe,
    client_marker,
    config_path,
    declared_major,
    generator_output,
    installed_major,
    recipe_for,
)

OFFLINE = ("Error: request to https://binaries.prisma.sh/all_commits/d1b3f377ca835d73fd50954a5e22128b9ebdd6b8/"
           "debian-openssl-3.0.x/schema-engine.gz.sha256 failed, reason: getaddrinfo ENOTFOUND binaries.prisma.sh")


def test_recipes_follow_the_guide_per_major() -> None:
    assert recipe_for(None) is PRISMA7
    assert PRISMA7.dev_packages == ("prisma", "typescript", "tsx", "@types/node", "@types/pg")
    assert PRISMA7.packages == ("@prisma/client", "@prisma/adapter-pg", "pg", "dotenv")
    assert PRISMA7.config_file == "prisma.config.ts" and PRISMA7.runs_init
    assert PRISMA6.dev_packages[0] == "prisma@6" and "@prisma/client@6" in PRISMA6.packages
    # Where index.ts imports the client from lives in the script template (Recipe.client_import was never read).
    assert PRISMA6.config_file is None and 'from "@prisma/client"' in templates.index_ts(6, "User", True)
    assert 'from "./generated/prisma/client"' in templates.index_ts(7, "User", True)
    with pytest.raises(ValueError):
        recipe_for(5)


def _installed(root: Path, version: str) -> None:
    (root / "node_modules" / "prisma").mkdir(parents=True)
    (root / "node_modules" / "prisma" / "package.json").write_text(json.dumps({"version": version}))


def test_recipe_is_chosen_from_what_the_project_has(tmp_path: Path) -> None:
    assert choose_recipe(tmp_path, None) is PRISMA7
    (tmp_path / "package.json").write_text(json.dumps({"devDependencies": {"prisma": "^6.19.0"}}))
    assert declared_major(tmp_path) == 6 and choose_recipe(tmp_path, None) is PRISMA6
    _installed(tmp_path, "7.10.1")
    assert installed_major(tmp_path) == 7 and choose_recipe(tmp_path, None) is PRISMA7
    assert choose_recipe(tmp_path, 6) is PRISMA6  # asked wins


def test_config_name_prisma7_wins_and_client_follows_generator_output(tmp_path: Path) -> None:
    assert config_path(tmp_path) is None
    (tmp_path / "prisma.config.ts").write_text("")
    assert config_path(tmp_path) == tmp_path / "prisma.config.ts"
    (tmp_path / "prisma7.config.ts").write_text("")
    assert config_path(tmp_path) == tmp_path / "prisma7.config.ts"
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(templates.SCHEMA7_HEAD.replace("../generated/prisma", "../src/db"))
    assert generator_output(templates.SCHEMA7_HEAD) == "../generated/prisma"
    assert client_marker(tmp_path, PRISMA7) == (tmp_path / "src" / "db" / "client.ts").resolve()
    assert client_marker(tmp_path, PRISMA6) == tmp_path / "node_modules/.prisma/client/index.js"


def test_config_template_uses_process_env_and_the_direct_url_first() -> None:
    text = templates.CONFIG_TS
    assert text.startswith('import "dotenv/config";')
    assert 'schema: "prisma/schema.prisma"' in text and "env(" not in text.replace("process.env", "")
    assert 'url: process.env["DIRECT_URL"] ?? process.env["DATABASE_URL"]' in text
    assert templates.config_is_usable(text) and not templates.config_is_usable('export default {url: "x"}')


def test_prisma6_schema_has_urls_and_direct_url_only_in_transaction_mode() -> None:
    session, transaction = templates.schema6(False), templates.schema6(True)
    assert 'provider = "prisma-client-js"' in session and 'url       = env("DATABASE_URL")' in session
    assert "directUrl" not in session and 'directUrl = env("DIRECT_URL")' in transaction
    assert "url" not in templates.SCHEMA7_HEAD  # Prisma 7 rejects url in the schema (P1012)


def test_models_are_added_only_to_a_schema_without_models() -> None:
    with_models = templates.with_guide_models(templates.SCHEMA7_HEAD)
    assert templates.model_names(with_models) == ["Post", "User"]
    assert templates.model_fields(with_models, "User") == ["id", "email", "name", "posts"]
    own = templates.SCHEMA7_HEAD + "\nmodel Todo {\n  id Int @id\n  done Boolean\n}\n"
    assert templates.with_guide_models(own) == own
    assert templates.query_model(own) == "Todo" and not templates.can_insert_sample(own)
    assert templates.query_model(with_models) == "User" and templates.can_insert_sample(with_models)


def test_index_ts_per_major() -> None:
    seven = templates.index_ts(7, "User", sample_row=True)
    assert 'from "./generated/prisma/client"' in seven and "new PrismaPg(" in seven and 'import "dotenv/config";' in seven
    assert "prisma.user.upsert(" in seven and "prisma.user.findMany({ take: 10 })" in seven
    six = templates.index_ts(6, "Todo")
    assert 'from "@prisma/client"' in six and "PrismaPg" not in six and "upsert" not in six
    assert "prisma.todo.findMany" in six


def test_gitignore_only_appends() -> None:
    private = ".env\n.env.bak*\n*.supatui-tmp\n"  # .env, its backups, supatui's temp files (issue 10)
    assert templates.gitignore(None) == f"node_modules\n{private}/generated/prisma\n"
    assert templates.gitignore("dist\nnode_modules") == f"dist\nnode_modules\n{private}/generated/prisma\n"
    full = f"node_modules\n{private}/generated/prisma\n"
    assert templates.gitignore(full) == full


def test_engine_download_failure_is_recognised_and_explained() -> None:
    assert engine_download_failed(OFFLINE)
    assert engine_download_failed("…/debian-openssl-3.0.x/libquery_engine.so.node.gz.sha256 failed")
    assert not engine_download_failed("Error: P1001: Can't reach database server at `127.0.0.1:1`")
    err = engine_download_error("migrations", OFFLINE)
    assert isinstance(err, StepFailed) and err.code == "engine-download" and err.step == "migrations"
    assert "PRISMA_ENGINES_MIRROR" in err.hint and err.resume == "migrations"
    assert "supatui run" not in err.hint  # each front end says how to resume, in its own terms
    assert "binaries.prisma.sh" in err.output


def test_with_direct_url_goes_under_url_once() -> None:
    assert templates.with_direct_url(templates.schema6(False)) == templates.schema6(True)  # aligned like the guide's
    plain = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\nmodel A {\n  url String\n}\n'
    added = templates.with_direct_url(plain)
    url = 'url = env("DATABASE_URL")\n'
    assert added == plain.replace(url, url + '  directUrl = env("DIRECT_URL")\n', 1)
    assert templates.has_direct_url(added) and not templates.has_direct_url(plain)
    assert templates.with_direct_url(added) == added
    assert templates.with_direct_url(templates.SCHEMA7_HEAD) == templates.SCHEMA7_HEAD  # no url line: nothing to add
