-- supatui sandbox: pgcrypto 1.3's everyday functions in SQL (names, arguments and volatility as in contrib's
-- pgcrypto--1.3.sql): digest, hmac, gen_random_bytes, gen_random_uuid, gen_salt, and crypt for md5 salts.
-- Not here (the sandbox's PostgreSQL has no OpenSSL): crypt with bf/des/xdes salts, encrypt/decrypt, pgp_*.
\echo Use "CREATE EXTENSION pgcrypto" to load this file. \quit

CREATE FUNCTION @extschema@.digest(bytea, text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  CASE lower($2)
    WHEN 'md5' THEN RETURN decode(md5($1), 'hex');
    WHEN 'sha1' THEN RETURN @extschema@.@sha1@($1);
    WHEN 'sha224' THEN RETURN sha224($1);
    WHEN 'sha256' THEN RETURN sha256($1);
    WHEN 'sha384' THEN RETURN sha384($1);
    WHEN 'sha512' THEN RETURN sha512($1);
    ELSE RAISE EXCEPTION 'Cannot use "%": No such hash algorithm', $2 USING ERRCODE = 'external_routine_invocation_exception';
  END CASE;
END $$;
CREATE FUNCTION @extschema@.digest(text, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT @extschema@.digest(convert_to($1, 'UTF8'), $2) $$;

CREATE FUNCTION @extschema@.hmac(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  block int := CASE WHEN lower($3) IN ('sha384', 'sha512') THEN 128 ELSE 64 END;
  key bytea := $2;
  ipad bytea;
  opad bytea;
BEGIN
  IF length(key) > block THEN key := @extschema@.digest(key, $3); END IF;
  key := key || decode(repeat('00', block - length(key)), 'hex');
  ipad := key; opad := key;
  FOR i IN 0 .. block - 1 LOOP
    ipad := set_byte(ipad, i, get_byte(key, i) # 54);
    opad := set_byte(opad, i, get_byte(key, i) # 92);
  END LOOP;
  RETURN @extschema@.digest(opad || @extschema@.digest(ipad || $1, $3), $3);
END $$;
CREATE FUNCTION @extschema@.hmac(text, text, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT @extschema@.hmac(convert_to($1, 'UTF8'), convert_to($2, 'UTF8'), $3) $$;

-- Strong random bytes from gen_random_uuid() (pg_strong_random): 14 fully random bytes per UUID.
CREATE FUNCTION @extschema@.gen_random_bytes(integer) RETURNS bytea
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
  out bytea := ''::bytea;
  u bytea;
BEGIN
  IF $1 < 1 OR $1 > 1024 THEN
    RAISE EXCEPTION 'Length not in range' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  WHILE length(out) < $1 LOOP
    u := uuid_send(pg_catalog.gen_random_uuid());
    out := out || substr(u, 1, 6) || substr(u, 8, 1) || substr(u, 10, 7);
  END LOOP;
  RETURN substr(out, 1, $1);
END $$;
CREATE FUNCTION @extschema@.gen_random_uuid() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
  AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- crypt(3)'s base-64 alphabet.
CREATE FUNCTION @extschema@.@sha1@_to64(v bigint, n int) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg(substr('./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
                           ((v >> (6 * i)) & 63)::int + 1, 1), '' ORDER BY i)
    FROM generate_series(0, n - 1) AS i
$$;

CREATE FUNCTION @extschema@.gen_salt(text, integer) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
  r bytea := @extschema@.gen_random_bytes(18);
  chars text := '';
BEGIN
  FOR i IN 0 .. 5 LOOP
    chars := chars || @extschema@.@sha1@_to64((get_byte(r, 3 * i)::bigint << 16) | (get_byte(r, 3 * i + 1) << 8)
                                               | get_byte(r, 3 * i + 2), 4);
  END LOOP;
  CASE lower($1)
    WHEN 'md5' THEN RETURN '$1$' || substr(chars, 1, 8);
    WHEN 'bf' THEN
      IF $2 <> 0 AND $2 NOT BETWEEN 4 AND 31 THEN
        RAISE EXCEPTION 'gen_salt: Incorrect number of rounds' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      RETURN '$2a$' || lpad(CASE WHEN $2 = 0 THEN 6 ELSE $2 END::text, 2, '0') || '$' || substr(chars, 1, 22);
    WHEN 'des' THEN RETURN substr(chars, 1, 2);
    WHEN 'xdes' THEN RETURN '_J9..' || substr(chars, 1, 4);
    ELSE RAISE EXCEPTION 'gen_salt: Unknown salt algorithm' USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END $$;
CREATE FUNCTION @extschema@.gen_salt(text) RETURNS text LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
  AS $$ SELECT @extschema@.gen_salt($1, CASE lower($1) WHEN 'bf' THEN 6 ELSE 0 END) $$;

-- MD5-based crypt ("$1$", as in pgcrypto's crypt-md5.c); other salts: a clear error.
CREATE FUNCTION @extschema@.crypt(text, text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  pw bytea := convert_to($1, 'UTF8');
  salt text;
  sb bytea;
  fin bytea;
  ctx bytea;
  n int;
BEGIN
  IF left($2, 3) <> '$1$' THEN
    RAISE EXCEPTION 'crypt() with this salt type is not available in the supatui sandbox'
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'The sandbox''s PostgreSQL build has no OpenSSL, so its pgcrypto is an SQL stand-in; Supabase''s pgcrypto has every salt type.',
            HINT = 'Use gen_salt(''md5'') in the sandbox, or try this on your Supabase project.';
  END IF;
  salt := split_part(substr($2, 4), '$', 1);
  salt := left(salt, 8);
  sb := convert_to(salt, 'UTF8');
  fin := decode(md5(pw || sb || pw), 'hex');
  ctx := pw || convert_to('$1$', 'UTF8') || sb;
  n := length(pw);
  WHILE n > 0 LOOP
    ctx := ctx || substr(fin, 1, least(n, 16));
    n := n - 16;
  END LOOP;
  n := length(pw);
  WHILE n > 0 LOOP
    ctx := ctx || CASE WHEN n & 1 = 1 THEN '\x00'::bytea ELSE substr(pw, 1, 1) END;
    n := n >> 1;
  END LOOP;
  fin := decode(md5(ctx), 'hex');
  FOR i IN 0 .. 999 LOOP
    ctx := CASE WHEN i & 1 = 1 THEN pw ELSE fin END;
    IF i % 3 <> 0 THEN ctx := ctx || sb; END IF;
    IF i % 7 <> 0 THEN ctx := ctx || pw; END IF;
    ctx := ctx || CASE WHEN i & 1 = 1 THEN fin ELSE pw END;
    fin := decode(md5(ctx), 'hex');
  END LOOP;
  RETURN '$1$' || salt || '$'
    || @extschema@.@sha1@_to64((get_byte(fin, 0)::bigint << 16) | (get_byte(fin, 6) << 8) | get_byte(fin, 12), 4)
    || @extschema@.@sha1@_to64((get_byte(fin, 1)::bigint << 16) | (get_byte(fin, 7) << 8) | get_byte(fin, 13), 4)
    || @extschema@.@sha1@_to64((get_byte(fin, 2)::bigint << 16) | (get_byte(fin, 8) << 8) | get_byte(fin, 14), 4)
    || @extschema@.@sha1@_to64((get_byte(fin, 3)::bigint << 16) | (get_byte(fin, 9) << 8) | get_byte(fin, 15), 4)
    || @extschema@.@sha1@_to64((get_byte(fin, 4)::bigint << 16) | (get_byte(fin, 10) << 8) | get_byte(fin, 5), 4)
    || @extschema@.@sha1@_to64(get_byte(fin, 11)::bigint, 2);
END $$;
