"""Supabase's role layout, replayed on a fresh cluster (supabase/postgres init scripts and migrations).

The cluster is initdb'd as ``supabase_admin`` (the bootstrap superuser cannot be demoted on PG16+);
``postgres`` is created as a superuser, given Supabase's grants, and demoted last, so that the
guide's step 1 runs exactly as on a hosted project (PG16+ rules: CREATEROLE + BYPASSRLS suffice).
The ``pgbouncer`` role and its SECURITY DEFINER ``pgbouncer.get_auth`` are Supabase's too; the
sandbox's PgBouncer uses them as ``auth_query`` so roles created later can log in at once.
"""

from __future__ import annotations

# Run as supabase_admin in one transaction. No braces: this text goes through psycopg's sql.SQL.format
# for the two passwords ({postgres_pw}, {pgbouncer_pw} are the only placeholders).
BOOTSTRAP = """
alter user supabase_admin with superuser createdb createrole replication bypassrls;
create role postgres superuser login password {postgres_pw};
alter database postgres owner to postgres;

-- 00000000000000-initial-schema.sql
create user supabase_replication_admin with login replication;
create user supabase_read_only_user with login bypassrls;
grant pg_read_all_data to supabase_read_only_user;
create schema if not exists extensions authorization postgres;
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create user authenticator noinherit;
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';

-- pgbouncer auth_query, as on Supabase
create user pgbouncer password {pgbouncer_pw};
create schema pgbouncer authorization pgbouncer;
create function pgbouncer.get_auth(p_usename text) returns table(username text, password text)
  language sql security definer set search_path = '' as $$
    select rolname::text, rolpassword::text from pg_catalog.pg_authid
     where rolname = p_usename and rolcanlogin and (rolvaliduntil is null or rolvaliduntil > now())
  $$;
revoke all on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer;

-- auth / storage schemas' admins, dashboard_user (…-auth-schema, …-storage-schema, …-post-setup)
create user supabase_auth_admin noinherit createrole login noreplication;
create schema if not exists auth authorization supabase_auth_admin;
create user supabase_storage_admin noinherit createrole login noreplication;
create schema if not exists storage authorization supabase_storage_admin;
create role dashboard_user nosuperuser createdb createrole replication;
grant all on database postgres to dashboard_user;
grant all on schema auth, extensions, storage to dashboard_user;
alter role postgres set search_path to "$user", public, extensions;

-- later migrations
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
grant anon, authenticated, service_role to postgres with admin option;
create role supabase_superuser nologin;
grant supabase_superuser to postgres;
grant pg_read_all_data, pg_signal_backend to postgres;
grant all on schema auth, extensions, storage to postgres with grant option;

-- 10000000000000_demote-postgres.sql: last
alter role postgres nosuperuser createdb createrole login replication bypassrls;
"""

ROLES = ("supabase_admin", "postgres", "anon", "authenticated", "service_role", "authenticator",
         "supabase_auth_admin", "supabase_storage_admin", "supabase_replication_admin",
         "supabase_read_only_user", "dashboard_user", "pgbouncer", "supabase_superuser")
