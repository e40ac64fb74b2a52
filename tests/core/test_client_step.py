"""Step 5: client packages present, `prisma generate` writes the client, verified on disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.steps.client import ClientStep

pytest_plugins = ["tests.prisma_fixture"]
pytestmark = pytest.mark.slow


def test_generate_writes_the_client_and_a_stale_client_is_noticed(project_copy: Path) -> None:
    schema = project_copy / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text() + "\nmodel Note {\n  id   Int    @id\n  body String\n}\n")
    step, ctx = ClientStep(), StepContext(WalkthroughConfig(project_dir=project_copy))
    assert not step.detect(ctx)
    assert [a.argv for a in step.plan(ctx).commands] == [("./node_modules/.bin/prisma", "generate")]  # step 2's packages
    started = time.monotonic()
    step.run(ctx, lambda e: None)
    print(f"ClientStep (prisma generate): {time.monotonic() - started:.1f}s")
    client = project_copy / "generated" / "prisma" / "client.ts"
    assert client.exists() and "Note" in (project_copy / "generated" / "prisma" / "models.ts").read_text()
    assert step.detect(ctx)
    later = time.time() + 5
    os.utime(schema, (later, later))  # the schema changed after generate
    checks = step.verify(ctx)
    assert not checks[1].ok and "older" in checks[1].detail


def test_missing_client_packages_are_installed(project_copy: Path) -> None:
    import json

    pkg = json.loads((project_copy / "package.json").read_text())
    del pkg["dependencies"]["dotenv"]
    (project_copy / "package.json").write_text(json.dumps(pkg, indent=2))
    step, ctx = ClientStep(), StepContext(WalkthroughConfig(project_dir=project_copy))
    assert [a.argv for a in step.plan(ctx).commands][0] == ("npm", "install", "dotenv")
    step.run(ctx, lambda e: None)
    assert "dotenv" in json.loads((project_copy / "package.json").read_text())["dependencies"]
    assert (project_copy / "package.json.bak").exists() and all(c.ok for c in step.verify(ctx))


def test_a_declared_client_package_keeps_its_range(project_copy: Path) -> None:
    """Declared in package.json but gone from node_modules: a plain install, not an add that rewrites the range."""
    import json
    import shutil

    shutil.rmtree(project_copy / "node_modules" / "pg")
    declared = json.loads((project_copy / "package.json").read_text())["dependencies"]["pg"]
    step, ctx = ClientStep(), StepContext(WalkthroughConfig(project_dir=project_copy))
    assert [a.argv for a in step.plan(ctx).commands][0] == ("npm", "install")
    step.run(ctx, lambda e: None)
    assert json.loads((project_copy / "package.json").read_text())["dependencies"]["pg"] == declared
    assert all(c.ok for c in step.verify(ctx))
