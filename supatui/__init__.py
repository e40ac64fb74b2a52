"""supatui: connect a Prisma project to Supabase Postgres, one real step at a time."""

__version__ = "0.1.0"
