"""Learn mode's lesson per step: why (from the guide), what to notice, and what to type with the values filled in.

The text follows Supabase's guide *Connecting with Prisma* (../shared/seed), with Prisma 7's
differences where the installed CLI is 7. Passwords are never filled in: the attendee chooses one.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from supatui.core import packagemanager
from supatui.core.context import StepContext
from supatui.core.learn.db_check import example_url
from supatui.core.prisma.recipes import installed_major, recipe_for
from supatui.core.prisma.templates import GUIDE_MODELS, index_ts
from supatui.core.rolesql import step1_sql_for_editor


@dataclass(frozen=True)
class Lesson:
    step: str
    why: str  # why the step exists, in two sentences
    notice: str  # what to look at in the output
    language: str  # "sql", "bash", "dotenv", "prisma", "typescript": how to highlight ``type_this``
    type_this: str  # exactly what to type (values filled in, the password left to the attendee)


_WHY = {
    "role": ("Prisma gets its own database user, so you control what it may do and can watch it in Supabase's "
             "Query Performance dashboard and Log Explorer. `grant prisma to postgres` lets the Dashboard see "
             "what Prisma changes."),
    "project": "A Node project with the Prisma CLI, TypeScript and a runner for .ts files; `prisma init` writes "
               "prisma/schema.prisma (and, on Prisma 7, prisma.config.ts).",
    "connection": "Prisma reads the connection string from .env. Use the Supavisor session pooler (port 5432) with "
                  "the user prisma.<project-ref>; serverless deployments use the transaction pooler (6543) and "
                  "need a direct or session URL for migrations.",
    "migrations": "Describe the tables as models in schema.prisma; `migrate dev` writes the SQL into "
                  "prisma/migrations and applies it, recording it in the _prisma_migrations table.",
    "client": "Prisma Client is generated from your schema: typed queries for exactly your models. Generate it "
              "again whenever the schema changes.",
    "test": "A small script that reads a table through Prisma Client proves every piece works together.",
}

_NOTICE = {
    "role": "Each statement answers CREATE ROLE / GRANT / ALTER DEFAULT PRIVILEGES. An error on line 1 about "
            "BYPASSRLS means your database does not let postgres grant it (ask for Supabase's defaults).",
    "project": "npm lists the packages it added; `prisma init` prints the files it created and the next steps.",
    "connection": "There is no output: check .env by hand. The user must be prisma.<project-ref> on the pooler, "
                  "and special characters in the password must be percent-encoded.",
    "migrations": "Prisma prints `Datasource \"db\": PostgreSQL database … at \"host:port\"` first: migrations need "
                  "port 5432 (session or direct), never 6543.",
    "client": "`prisma generate` prints where it wrote the client (Prisma 7: generated/prisma).",
    "test": "The script prints an array of rows; [] means it works but the table is empty.",
}


def lesson(ctx: StepContext, step_id: str) -> Lesson:
    project = ctx.config.project_dir
    pm = packagemanager.get(ctx.config.package_manager)
    major = installed_major(project) or ctx.config.prisma_major or recipe_for(None).major
    recipe = recipe_for(major if major in (6, 7) else None)
    role = ctx.config.role

    def run(*argv: str) -> str:
        return shlex.join(pm.exec(*argv))

    if step_id == "role":
        text, language = step1_sql_for_editor(role, masked=True, admin=ctx.config.admin_user).replace(
            "'****'", "'<choose a strong password>'"), "sql"
    elif step_id == "project":
        folder = shlex.quote(str(project))
        text = "\n".join([f"mkdir -p {folder} && cd {folder}", shlex.join(pm.init()),
                          shlex.join(pm.add(list(recipe.dev_packages), dev=True)),
                          run("tsc", "--init"), run("prisma", "init", "--datasource-provider", "postgresql")])
        language = "bash"
    elif step_id == "connection":
        text = (f'# .env — Prisma reads it; keep it out of git\nDATABASE_URL="{example_url(ctx.config.target, role)}"\n'
                "# transaction mode (6543) for serverless? then also:\n"
                f'# DIRECT_URL="{example_url(ctx.config.target, role, 5432)}"')
        language = "dotenv"
    elif step_id == "migrations":
        text = (f"// append to prisma/schema.prisma\n{GUIDE_MODELS}\n// then, in {project}:\n"
                f"// {run('prisma', 'migrate', 'dev', '--name', 'first_prisma_migration')}")
        language = "prisma"
    elif step_id == "client":
        text = "\n".join([shlex.join(pm.add(list(recipe.client_packages))), run("prisma", "generate")])
        language = "bash"
    else:
        text = f"// index.ts\n{index_ts(recipe.major, 'User')}\n// run it: {run('tsx', 'index.ts')}"
        language = "typescript"
    return Lesson(step_id, _WHY[step_id], _NOTICE[step_id], language, text)
