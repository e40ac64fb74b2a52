"""The contents of the files the walkthrough writes, per Prisma major.

Each template is the guide's file with the fixes the notes verified (prisma.md §3): the config
reads ``process.env`` after ``import "dotenv/config"`` (``env()`` throws when a variable is
unset), points at ``prisma/schema.prisma`` (the guide's ``prisma/schema`` folder does not
exist after ``init``), and gives the CLI the direct/session URL when the app uses transaction mode.
"""

from __future__ import annotations

import re

from supatui.core.files import GITIGNORE_PRIVATE

CONFIG_TS = """\
import "dotenv/config";
import { defineConfig } from "prisma/config";

// The Prisma CLI (migrate, db pull) needs a session or direct connection: DIRECT_URL when
// the app itself uses transaction mode (port 6543), else DATABASE_URL.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
  },
  datasource: {
    url: process.env["DIRECT_URL"] ?? process.env["DATABASE_URL"],
  },
});
"""

SCHEMA7_HEAD = """\
generator client {
  provider = "prisma-client"
  output   = "../generated/prisma"
}

datasource db {
  provider = "postgresql"
}
"""

GUIDE_MODELS = """\
model Post {
  id        Int     @id @default(autoincrement())
  title     String
  content   String?
  published Boolean @default(false)
  author    User?   @relation(fields: [authorId], references: [id])
  authorId  Int?
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
}
"""

GITIGNORE_LINES = ("node_modules", *GITIGNORE_PRIVATE, "/generated/prisma")  # .env, its backups, temp files
SAMPLE_EMAIL = "alice@prisma.io"


def schema6(transaction: bool) -> str:
    """The guide's pre-v7 schema head: URLs in the schema, ``directUrl`` for migrations in transaction mode."""
    direct = '\n  directUrl = env("DIRECT_URL")' if transaction else ""
    return f"""\
generator client {{
  provider = "prisma-client-js"
}}

datasource db {{
  provider  = "postgresql"
  url       = env("DATABASE_URL"){direct}
}}
"""


_DATASOURCE = re.compile(r"^(\s*)datasource\s+\w+\s*\{(.*?)^\s*\}", re.M | re.S)
_URL_LINE = re.compile(r"^([ \t]*)url(\s*)=.*$", re.M)


def has_direct_url(schema_text: str) -> bool:
    """Whether the datasource block names a ``directUrl`` (Prisma 6's URL for migrate and db pull)."""
    block = _DATASOURCE.search(schema_text)
    return bool(block and re.search(r"^\s*directUrl\s*=", block.group(2), re.M))


def with_direct_url(schema_text: str) -> str:
    """The Prisma 6 schema with ``directUrl = env("DIRECT_URL")`` under the datasource's ``url`` line.

    In transaction mode DATABASE_URL is the 6543 pooler, where migrate's advisory lock and prepared
    statements break; Prisma 6 sends migrations to ``directUrl`` when the schema names one. Unchanged
    when it already does or has no ``url`` line to put it under.
    """
    block = _DATASOURCE.search(schema_text)
    if block is None or has_direct_url(schema_text):
        return schema_text
    url = _URL_LINE.search(schema_text, block.start(2), block.end(2))
    if url is None:
        return schema_text
    indent, before_equals = url.group(1), len("url") + len(url.group(2))
    key = "directUrl".ljust(before_equals - 1)  # its '=' under url's when url's is aligned
    line = f"{indent}{key} = env(\"DIRECT_URL\")"
    return schema_text[: url.end()] + "\n" + line + schema_text[url.end():]


def schema_head(major: int, transaction: bool) -> str:
    return SCHEMA7_HEAD if major >= 7 else schema6(transaction)


def model_names(schema_text: str) -> list[str]:
    """The models a schema declares, in order."""
    return re.findall(r"^\s*model\s+(\w+)\s*\{", schema_text, re.M)


def model_fields(schema_text: str, model: str) -> list[str]:
    block = re.search(rf"^\s*model\s+{re.escape(model)}\s*\{{(.*?)^\s*\}}", schema_text, re.M | re.S)
    if not block:
        return []
    return re.findall(r"^\s*(\w+)\s+\S", block.group(1), re.M)


def with_guide_models(schema_text: str) -> str:
    """The schema plus the guide's Post/User models, unless it already has models of its own."""
    if model_names(schema_text):
        return schema_text
    return schema_text.rstrip("\n") + "\n\n" + GUIDE_MODELS


def config_is_usable(text: str) -> bool:
    """A config we can keep: it loads .env and gives the CLI a URL from the environment."""
    return "dotenv/config" in text and ("DATABASE_URL" in text or "DIRECT_URL" in text)


def gitignore(existing: str | None) -> str:
    """``existing`` with the lines the project needs appended (none removed)."""
    text = existing or ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in present and line.lstrip("/") not in present]
    if not missing:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "\n".join(missing) + "\n"


def _accessor(model: str) -> str:
    """Prisma's client property for a model: the name with a lower-case first letter."""
    return model[:1].lower() + model[1:]


def query_model(schema_text: str) -> str | None:
    """The model the test script reads: the guide's ``User`` when present, else the first one."""
    names = model_names(schema_text)
    if "User" in names:
        return "User"
    return names[0] if names else None


def can_insert_sample(schema_text: str) -> bool:
    """The sample row is the guide's User (email + name); other schemas are only read."""
    return {"email", "name"} <= set(model_fields(schema_text, "User"))


def index_ts(major: int, model: str = "User", sample_row: bool = False) -> str:
    """The test script: the guide's ``index.ts`` for the major, reading 10 rows of ``model``.

    With ``sample_row`` it first upserts one User by email, so Prisma itself writes the row and
    running the script again changes nothing.
    """
    accessor = _accessor(model)
    if major >= 7:
        head = """\
import "dotenv/config";
import { PrismaClient } from "./generated/prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";

const adapter = new PrismaPg({ connectionString: `${process.env.DATABASE_URL}` });
const prisma = new PrismaClient({ adapter });
"""
    else:
        head = """\
import "dotenv/config";
import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();
"""
    sample = ""
    if sample_row:
        sample = f"""\
  await prisma.user.upsert({{
    where: {{ email: "{SAMPLE_EMAIL}" }},
    update: {{}},
    create: {{ email: "{SAMPLE_EMAIL}", name: "Alice" }},
  }});
"""
    return f"""{head}
async function main() {{
{sample}  const rows = await prisma.{accessor}.findMany({{ take: 10 }});
  console.log(rows);
}}

main()
  .then(async () => {{
    await prisma.$disconnect();
  }})
  .catch(async (e) => {{
    console.error(e);
    await prisma.$disconnect();
    process.exit(1);
  }});
"""
