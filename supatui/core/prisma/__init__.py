"""Prisma recipes by major version: packages, files, engine-failure detection, shared step helpers."""
