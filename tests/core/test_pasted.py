"""What people really paste (strings from issue threads, URLs cited), read in their words.

Sources of the strings: github.com/prisma/orm/issues/13807 ([YOUR-PASSWORD] on the pooler),
github.com/prisma/orm/issues/23353 ([YOUR PASSWORD]), github.com/prisma/orm/issues/24913 ([YOUR_PASSWORD] and
db.[PROJECT_REF].supabase.co), github.com/virgoone/next-money/issues/7 (a bare YOUR_PASSWORD), the guide's
template (supabase.com/docs/guides/database/prisma), n4ze3m/dialoqbase#53 (an API URL where the DB URL goes).
"""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from supatui.core.connstr import (
    UrlError,
    parse_url,
    placeholder_problem,
    target_from_url,
    unencoded_password_chars,
    validate_host,
    validate_ref,
)
from supatui.core.errors import InputError
from supatui.core.urlexplain import explain_url

REF = "dnnhtbehpfyusttyytfw"  # the ref in prisma/orm#13807
POOLER = "aws-0-ap-south-1.pooler.supabase.com"


@pytest.mark.parametrize("url, placeholder", [
    (f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:6543/postgres?pgbouncer=true", "[YOUR-PASSWORD]"),
    (f"postgres://postgres.{REF}:[YOUR PASSWORD]@{POOLER}:5432/postgres", "[YOUR PASSWORD]"),
    (f"postgres://postgres.{REF}:[YOUR%20PASSWORD]@{POOLER}:5432/postgres", "[YOUR PASSWORD]"),
    (f"postgresql://postgres.{REF}:[YOUR_PASSWORD]@{POOLER}:5432/postgres", "[YOUR_PASSWORD]"),
    (f"postgresql://postgres.{REF}:YOUR_PASSWORD@{POOLER}:6543/postgres", "YOUR_PASSWORD"),
    (f"postgresql://prisma.{REF}:[PRISMA-PASSWORD]@{POOLER}:5432/postgres", "[PRISMA-PASSWORD]"),
    (f"postgresql://postgres.{REF}:<password>@{POOLER}:5432/postgres", "<password>"),
])
def test_the_dashboard_placeholder_is_never_a_password(url: str, placeholder: str) -> None:
    parsed = parse_url(url)
    assert parsed.password is None
    assert parsed.password_placeholder == placeholder
    assert placeholder in placeholder_problem(parsed) and "replace" in placeholder_problem(parsed)
    target, _ = target_from_url(url)
    assert target.ref == REF and target.pooler_host == POOLER
    assert unencoded_password_chars(url) == ""  # not "[ ] must be percent-encoded"
    explanation = explain_url(url)
    codes = [w.code for w in explanation.warnings]
    assert "placeholder-password" in codes and "unencoded-password" not in codes and "no-password" not in codes
    assert placeholder.replace(" ", "%20") in explanation.masked_url or placeholder in explanation.masked_url


def test_brackets_inside_a_real_password_are_fine() -> None:
    """libpq and WHATWG parsers both read [ ] in the user info; only the placeholder is the problem."""
    url = f"postgresql://postgres.{REF}:Ab[cd]ef9@{POOLER}:5432/postgres"
    assert parse_url(url).password == "Ab[cd]ef9"
    assert conninfo_to_dict(url)["password"] == "Ab[cd]ef9"
    assert unencoded_password_chars(url) == ""


@pytest.mark.parametrize("url, words", [
    ("postgres://[DB-USER].[PROJECT-REF]:[PRISMA-PASSWORD]@[DB-REGION].pooler.supabase.com:5432/postgres",
     ("[DB-USER]", "[PROJECT-REF]", "[DB-REGION]", "Connect")),
    ("postgresql://postgres:[YOUR_PASSWORD]@db.[PROJECT_REF].supabase.co:5432/postgres", ("[PROJECT_REF]",)),
    ("postgresql://postgres.<ref>:pw@aws-1-eu-west-1.pooler.supabase.com:5432/postgres", ("<ref>",)),
])
def test_template_placeholders_outside_the_password_are_named(url: str, words: tuple[str, ...]) -> None:
    with pytest.raises(UrlError) as info:
        parse_url(url)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("text, words", [
    (f"https://{REF}.supabase.co", ("API URL", "Connect", "Session pooler")),
    (f"https://{REF}.supabase.co/", ("API URL",)),
    (f"https://supabase.com/dashboard/project/{REF}/settings/database", ("dashboard page", REF)),
    (f"db.{REF}.supabase.co", ("host name alone",)),
    ("jdbc:postgresql://aws-0-eu-west-1.pooler.supabase.com:5432/postgres?user=postgres.x", ("JDBC",)),
])
def test_well_known_non_database_strings_get_their_own_sentence(text: str, words: tuple[str, ...]) -> None:
    with pytest.raises(UrlError) as info:
        parse_url(text)
    for word in words:
        assert word in str(info.value)
    with pytest.raises(InputError) as explained:
        explain_url(text)
    assert "Not a PostgreSQL URL" not in str(explained.value)  # the sentence itself says what to copy


def test_the_direct_string_says_ipv6_and_what_to_copy_instead() -> None:
    url = f"postgresql://postgres:[YOUR-PASSWORD]@db.{REF}.supabase.co:5432/postgres"
    warning = {w.code: w.message for w in explain_url(url).warnings}["ipv6-only"]
    assert "direct connection" in warning and "IPv6" in warning and "Session pooler" in warning


@pytest.mark.parametrize("url, words", [
    ("postgresql://u@[::1:1", ("without closing",)),
    ("postgresql://u@[zz]:5432/x", ("not an IPv6",)),
    ("postgresql://u@h:5432/post%00gres", ("control character",)),
    ("postgresql://u@h:5432/post%0Agres", ("control character",)),
    ("postgresql://u@h:5432/post\ngres", ("line break",)),
    pytest.param("postgresql://u@" + "a" * 100_000 + ":5432/postgres", ("longer than a host name", "100000 characters"),
                 id="host-100k"),
    ("postgresql://u@" + "a" * 64 + ".example.com/postgres", ("not a host name",)),
])
def test_url_mistakes_are_said(url: str, words: tuple[str, ...]) -> None:
    with pytest.raises(UrlError) as info:
        parse_url(url)
    for word in words:
        assert word in str(info.value)
    assert len(str(info.value)) < 400  # the 100k host is never echoed whole
    with pytest.raises(InputError):
        explain_url(url)


def test_a_pasted_port_is_kept() -> None:
    target, mode = target_from_url(f"postgresql://postgres.{REF}:pw@{POOLER}:6544/postgres")
    assert (mode, target.session_port) == ("session", 6544)
    assert parse_url("postgresql://u@[::1]:5433/x").port == 5433


@pytest.mark.parametrize("ref, word", [
    (REF + "\n", "line break"), (" " + REF, "line break"), ("[PROJECT-REF]", "placeholder"),
    (REF.upper(), "lowercase"), ("", "Enter"),
])
def test_refs_are_matched_whole(ref: str, word: str) -> None:
    problem = validate_ref(ref)
    assert problem is not None and word in problem
    assert "\n" not in problem


@pytest.mark.parametrize("host, word", [
    ("127.0.0.1:5432", "includes a port"), ("127.0.0.1\n", "line break"), pytest.param("a" * 100_000, "longer", id="100k"),
    ("[DB-REGION].pooler.supabase.com", "placeholder"), (f"https://{POOLER}/", "not a host name"),
    ("a:b:c", "not a host name"),
])
def test_hosts_are_checked(host: str, word: str) -> None:
    problem = validate_host(host)
    assert problem is not None and word in problem and len(problem) < 300


@pytest.mark.parametrize("host", [POOLER, "127.0.0.1", "::1", "localhost", "my_db.internal", "db.x.supabase.co."])
def test_good_hosts_pass(host: str) -> None:
    assert validate_host(host) is None


# The Connect dialog's ORM tab (supabase.com/dashboard → Connect → ORMs → Prisma) shows a .env block, and
# threads paste its lines as they are: `DATABASE_URL="postgresql://…"` (e.g. prisma/orm#24913).
ORM_TAB = f"""# Connect to Supabase via connection pooling
DATABASE_URL="postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:6543/postgres?pgbouncer=true"

# Direct connection to the database. Used for migrations
DIRECT_URL="postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:5432/postgres"
"""


@pytest.mark.parametrize("pasted, port", [
    (ORM_TAB, 6543),
    (f'DATABASE_URL="postgresql://postgres.{REF}:pw1@{POOLER}:5432/postgres"', 5432),
    (f"export DIRECT_URL='postgresql://postgres.{REF}:pw1@{POOLER}:5432/postgres'", 5432),
    (f"  DATABASE_URL: postgresql://postgres.{REF}:pw1@{POOLER}:6543/postgres  ", 6543),
    (f"`postgresql://postgres.{REF}:pw1@{POOLER}:6543/postgres`", 6543),
    (f"# only the direct one\nDIRECT_URL=postgresql://postgres.{REF}:pw1@{POOLER}:5432/postgres\n", 5432),
])
def test_an_env_line_or_block_gives_its_url(pasted: str, port: int) -> None:
    parsed = parse_url(pasted)
    assert (parsed.user, parsed.host, parsed.port, parsed.ref) == (f"postgres.{REF}", POOLER, port, REF)


def test_a_block_with_two_unnamed_urls_is_not_guessed() -> None:
    block = f"postgresql://a.{REF}:x@{POOLER}:5432/postgres\npostgresql://b.{REF}:y@{POOLER}:6543/postgres"
    with pytest.raises(UrlError, match="line break"):
        parse_url(block)


@pytest.mark.parametrize("pasted, says", [
    (f"https://supabase.com/dashboard/project/{REF}/settings/database", f"enter just {REF}"),
    (f"https://{REF}.supabase.co", f"enter just {REF}"),
    (f"db.{REF}.supabase.co", f"enter just {REF}"),
    (f"postgres.{REF}", f"looks like the pooler user name; the ref is the part after the dot: enter just {REF}"),
    ("postgres.abc", "'postgres.abc' looks like the pooler user name (<role>.<ref>), but 'abc' after the dot"),
    (REF.upper(), f"lowercase letters, so enter {REF}"),
    (REF[:-1], "it has 19 letters"),
])
def test_what_people_put_in_the_ref_field_is_named(pasted: str, says: str) -> None:
    message = validate_ref(pasted)
    assert message is not None and says in message, message
