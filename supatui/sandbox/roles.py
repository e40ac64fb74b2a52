"""Supabase's role layout, replayed on a fresh cluster (supabase/postgres init scripts and migrations).

The cluster is initdb'd as ``supabase_admin`` (the bootstrap superuser cannot be demoted on PG16+);
``postgres`` is created as a superuser, given Supabase's grants, and demoted last, so that the
guide's step 1 runs exactly as on a hosted project (PG16+ rules: CREATEROLE + BYPASSRLS suffice).
The ``pgbouncer`` role and its SECURITY DEFINER ``pgbouncer.get_auth`` are Supabase's too; the
sandbox's PgBouncer uses them as ``auth_query`` so roles created later can log in at once.

Files cited are under ``migrations/db/`` in supabase/postgres (newest versions; 20250421084701 took
``supabase_auth_admin``/``supabase_storage_admin`` membership and CREATE on ``auth``/``storage`` away from
``postgres``, so ``drop table auth.users`` as postgres fails with "must be owner of table users").
``auth`` holds the init script's five tables (no GoTrue migrations on top); ``storage`` and ``realtime`` are
empty (on Supabase the Storage API and Realtime create their tables). New databases (Prisma's shadow
database) copy the untouched ``template1``, as on Supabase, whose init scripts run in ``postgres`` only.
uuid-ossp and pgcrypto may be SQL stand-ins, see extensions.py.
"""

from __future__ import annotations

# Run as supabase_admin in one transaction. No braces: this text goes through psycopg's sql.SQL.format
# for the two passwords ({postgres_pw}, {pgbouncer_pw} are the only placeholders).
BOOTSTRAP = """
alter user supabase_admin with superuser createdb createrole replication bypassrls;
create role postgres superuser login password {postgres_pw};
alter database postgres owner to postgres;

-- init-scripts/00000000000000-initial-schema.sql. migrations/db/migrate.sh ("used by both ami and docker
-- builds") runs the init scripts as the then-superuser postgres, so what they create without an explicit
-- owner is postgres's: the extensions schema (real projects' dumps say "Schema: extensions; Owner: postgres").
create user supabase_replication_admin with login replication;
create user supabase_etl_admin with login replication;
create user supabase_read_only_user with login bypassrls;
grant pg_read_all_data to supabase_read_only_user;
create schema if not exists extensions authorization postgres;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
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
alter role authenticator set lock_timeout = '8s';

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

-- init-scripts/00000000000001-auth-schema.sql: the schema is supabase_admin's, its objects supabase_auth_admin's
create schema if not exists auth authorization supabase_admin;
create table auth.users (
  instance_id uuid null, id uuid not null unique, aud varchar(255) null, "role" varchar(255) null,
  email varchar(255) null unique, encrypted_password varchar(255) null, confirmed_at timestamptz null,
  invited_at timestamptz null, confirmation_token varchar(255) null, confirmation_sent_at timestamptz null,
  recovery_token varchar(255) null, recovery_sent_at timestamptz null, email_change_token varchar(255) null,
  email_change varchar(255) null, email_change_sent_at timestamptz null, last_sign_in_at timestamptz null,
  raw_app_meta_data jsonb null, raw_user_meta_data jsonb null, is_super_admin bool null,
  created_at timestamptz null, updated_at timestamptz null,
  constraint users_pkey primary key (id));
create index users_instance_id_email_idx on auth.users using btree (instance_id, email);
create index users_instance_id_idx on auth.users using btree (instance_id);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
create table auth.refresh_tokens (
  instance_id uuid null, id bigserial not null, "token" varchar(255) null, user_id varchar(255) null,
  revoked bool null, created_at timestamptz null, updated_at timestamptz null,
  constraint refresh_tokens_pkey primary key (id));
create index refresh_tokens_instance_id_idx on auth.refresh_tokens using btree (instance_id);
create index refresh_tokens_instance_id_user_id_idx on auth.refresh_tokens using btree (instance_id, user_id);
create index refresh_tokens_token_idx on auth.refresh_tokens using btree (token);
comment on table auth.refresh_tokens is 'Auth: Store of tokens used to refresh JWT tokens once they expire.';
create table auth.instances (
  id uuid not null, uuid uuid null, raw_base_config text null, created_at timestamptz null,
  updated_at timestamptz null, constraint instances_pkey primary key (id));
comment on table auth.instances is 'Auth: Manages users across multiple sites.';
create table auth.audit_log_entries (
  instance_id uuid null, id uuid not null, payload json null, created_at timestamptz null,
  constraint audit_log_entries_pkey primary key (id));
create index audit_logs_instance_id_idx on auth.audit_log_entries using btree (instance_id);
comment on table auth.audit_log_entries is 'Auth: Audit trail for user actions.';
create table auth.schema_migrations (
  "version" varchar(255) not null, constraint schema_migrations_pkey primary key ("version"));
comment on table auth.schema_migrations is 'Auth: Manages updates to the auth system.';
insert into auth.schema_migrations (version) values ('20171026211738'), ('20171026211808'), ('20171026211834'),
  ('20180103212743'), ('20180108183307'), ('20180119214651'), ('20180125194653');
create function auth.uid() returns uuid language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
create function auth.role() returns text language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.role', true), '')::text $$;
create function auth.email() returns text language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.email', true), '')::text $$;
grant usage on schema auth to anon, authenticated, service_role;
create user supabase_auth_admin noinherit nocreaterole login noreplication;
grant all privileges on schema auth to supabase_auth_admin;
grant all privileges on all tables in schema auth to supabase_auth_admin;
grant all privileges on all sequences in schema auth to supabase_auth_admin;
alter user supabase_auth_admin set search_path = "auth";
alter table auth.users owner to supabase_auth_admin;
alter table auth.refresh_tokens owner to supabase_auth_admin;
alter table auth.audit_log_entries owner to supabase_auth_admin;
alter table auth.instances owner to supabase_auth_admin;
alter table auth.schema_migrations owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
grant create on database postgres to supabase_auth_admin;

-- init-scripts/00000000000002-storage-schema.sql (storage-api creates the tables on Supabase)
create schema if not exists storage authorization supabase_admin;
create user supabase_storage_admin noinherit createrole login noreplication;
alter user supabase_storage_admin set search_path = "storage";
grant create on database postgres to supabase_storage_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin with grant option;
grant authenticator to supabase_storage_admin;

-- init-scripts/00000000000003-post-setup.sql
alter role supabase_admin set search_path to "$user", public, auth, extensions;
alter role postgres set search_path to "$user", public, extensions;
create role dashboard_user nosuperuser createdb createrole replication;
grant all on database postgres to dashboard_user;
grant all on schema auth, extensions, storage to dashboard_user;
grant all on all tables in schema auth, extensions to dashboard_user;
grant all on all sequences in schema auth, storage, extensions to dashboard_user;
grant all on all routines in schema auth, storage, extensions to dashboard_user;

-- init-scripts/00000000000003-realtime-schema.sql (the Realtime service creates the tables on Supabase)
create schema if not exists realtime authorization supabase_admin;
create user supabase_realtime_admin noinherit createrole login replication;
alter user supabase_realtime_admin set search_path = public, extensions, realtime;
grant create on database postgres to supabase_realtime_admin;
grant anon, authenticated, service_role to supabase_realtime_admin;
grant set on parameter log_min_messages to supabase_realtime_admin;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;
grant usage on schema auth to supabase_realtime_admin;
grant execute on all functions in schema auth to supabase_realtime_admin;
grant create, usage on schema public to supabase_realtime_admin;
grant usage on schema extensions to supabase_realtime_admin;

-- migrations/10000000000000_demote-postgres.sql (its final alter role comes last, below)
grant all on database postgres to postgres;
grant all on schema auth, extensions, storage to postgres;
grant all on all tables in schema auth, storage, extensions to postgres;
grant all on all sequences in schema auth, storage, extensions to postgres;
grant all on all routines in schema auth, storage, extensions to postgres;
-- 20211115181400_update-auth-permissions.sql
grant usage on schema auth to postgres;
grant all on all tables in schema auth to postgres, dashboard_user;
grant all on all sequences in schema auth to postgres, dashboard_user;
grant all on all routines in schema auth to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres, dashboard_user;
-- 20230224042246_grant_extensions_perms_for_postgres.sql
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;
-- 20230529180330_alter_api_roles_for_inherit.sql, 20230201083204 + 20250605172253 (PG16+: with admin option)
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
grant anon, authenticated, service_role to postgres with admin option;
-- 20230306081037, 20240606060239, 20251215120934_supabase_superuser.sql
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;
create role supabase_superuser nologin;
grant supabase_superuser to postgres;
-- 20250421084701_revoke_admin_roles_from_postgres.sql, 20250709135250_grant_storage_schema_…_with_grant_option.sql
revoke create on schema storage from postgres;
revoke create on schema auth from postgres;
grant usage on schema storage to postgres with grant option;
-- 20260506172403_grant_realtime_schema_to_postgres_with_grant_option.sql
grant usage on schema realtime to postgres with grant option;

-- pg_stat_statements last: its view and functions get the extensions schema's default privileges above
create extension if not exists pg_stat_statements with schema extensions;

-- 10000000000000_demote-postgres.sql: last
alter role postgres nosuperuser createdb createrole login replication bypassrls;
"""

ROLES = ("supabase_admin", "postgres", "anon", "authenticated", "service_role", "authenticator",
         "supabase_auth_admin", "supabase_storage_admin", "supabase_replication_admin",
         "supabase_read_only_user", "dashboard_user", "pgbouncer", "supabase_superuser", "supabase_etl_admin",
         "supabase_realtime_admin")
