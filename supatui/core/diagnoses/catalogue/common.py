"""Sources and step groups shared by the catalogue's families."""

from __future__ import annotations

SUPA_TS = "https://supabase.com/docs/guides/database/prisma/prisma-troubleshooting"
SUPA_GUIDE = "https://supabase.com/docs/guides/database/prisma"
SUPA_CONNECT = "https://supabase.com/docs/guides/database/connecting-to-postgres"
TENANT_TS = "https://supabase.com/docs/guides/troubleshooting/tenant-or-user-not-found"
PRISMA_ERR = "https://www.prisma.io/docs/orm/reference/error-reference"
PG_ERR = "https://www.postgresql.org/docs/current/errcodes-appendix.html"
BASELINE = "https://www.prisma.io/docs/orm/prisma-migrate/workflows/baselining"
PRISMA7 = "https://www.prisma.io/docs/orm/more/upgrade-guides/upgrading-versions/upgrading-to-prisma-7"
URL_CHARS = "https://www.prisma.io/docs/orm/reference/connection-urls#special-characters"
LIBPQ_URI = "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS"
# Supavisor's own error texts: supabase/supavisor lib/supavisor/errors/*.ex (codes since 2026-01, d1bb503f) and
# lib/supavisor/client_handler/error.ex before that ("Tenant or user not found", "Circuit breaker open: …").
SUPAVISOR_SRC = "https://github.com/supabase/supavisor/tree/main/lib/supavisor/errors"

DB = ("role", "connection", "migrations", "test")
PRISMA_DB = ("connection", "migrations", "test")
NPM = ("project", "client")
URL_FIX = ("Percent-encode the password in the URL (`supatui url explain URL` names the characters) or use a "
           "letters-and-digits password; supatui's .env step writes it encoded.")
