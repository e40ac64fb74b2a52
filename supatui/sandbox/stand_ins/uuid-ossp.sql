-- supatui sandbox: uuid-ossp 1.1's functions in SQL (same names, arguments and volatility as contrib's
-- uuid-ossp--1.1.sql). v1/v1mc use a random node id with the multicast bit set, as v1mc does.
\echo Use "CREATE EXTENSION ""uuid-ossp""" to load this file. \quit

CREATE FUNCTION @extschema@.uuid_nil() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_dns() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_url() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_oid() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_x500() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION @extschema@.uuid_generate_v4() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
  AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- A name-based UUID: hash(namespace || name), version nibble and RFC 4122 variant bits set.
CREATE FUNCTION @extschema@.@sha1@_name_uuid(hash bytea, version int) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT encode(set_byte(set_byte(substr(hash, 1, 16), 6, (get_byte(hash, 6) & 15) | (version << 4)),
                         8, (get_byte(hash, 8) & 63) | 128), 'hex')::uuid
$$;
CREATE FUNCTION @extschema@.uuid_generate_v3(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT @extschema@.@sha1@_name_uuid(decode(md5(uuid_send(namespace) || convert_to(name, 'UTF8')), 'hex'), 3)
$$;
CREATE FUNCTION @extschema@.uuid_generate_v5(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT @extschema@.@sha1@_name_uuid(@extschema@.@sha1@(uuid_send(namespace) || convert_to(name, 'UTF8')), 5)
$$;

-- Time-based: 100 ns ticks since 1582-10-15, a random clock sequence and a random multicast node id.
CREATE FUNCTION @extschema@.uuid_generate_v1mc() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE AS $$
  SELECT (lpad(to_hex(ticks & 4294967295), 8, '0') || '-' || lpad(to_hex((ticks >> 32) & 65535), 4, '0') || '-'
          || lpad(to_hex(((ticks >> 48) & 4095) | 4096), 4, '0') || '-'
          || lpad(to_hex((get_byte(r, 0) & 63 | 128) << 8 | get_byte(r, 1)), 4, '0') || '-'
          || lpad(to_hex(get_byte(r, 2) | 1), 2, '0') || encode(substr(r, 10, 5), 'hex'))::uuid
    FROM (SELECT ((extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 122192928000000000) AS ticks,
                 uuid_send(pg_catalog.gen_random_uuid()) AS r) AS src
$$;
CREATE FUNCTION @extschema@.uuid_generate_v1() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
  AS $$ SELECT @extschema@.uuid_generate_v1mc() $$;
