"""The needs-analysis rollup: per region and current class, how many active IR name each product,
constraint, need and assistance (Permen PPPA 2/2016 BAB V H), so a province's table is a few hundred rows.

Revision ID: 0002
Revises: 0001

Backfilled from the per-IR projection, so a reporting database built before it needs no replay.
"""
from alembic import op

from siir.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reporting.needs_counts (
            level           smallint NOT NULL,
            region_code     text NOT NULL,
            ir_class        text NOT NULL,
            kind            text NOT NULL CHECK (kind IN ('IR', 'PRODUCT', 'CONSTRAINT', 'NEED', 'ASSISTANCE', 'PROVIDER')),
            item            text NOT NULL,
            detail          text NOT NULL,
            home_industries integer NOT NULL,
            PRIMARY KEY (level, region_code, ir_class, kind, item, detail)
        );
        INSERT INTO reporting.needs_counts
        WITH ir AS (
            SELECT id, current_class, village_code, products, constraints, hopes, assistance_received
            FROM reporting.home_industries WHERE status = 'ACTIVE' AND current_class IS NOT NULL
        ), items AS (
            SELECT id, current_class, village_code, 'IR' AS kind, '' AS item, '' AS detail FROM ir
            UNION SELECT id, current_class, village_code, 'PRODUCT', p, '' FROM ir, unnest(products) p
            UNION SELECT id, current_class, village_code, 'CONSTRAINT', c, '' FROM ir, unnest(constraints) c
            UNION SELECT id, current_class, village_code, 'NEED', h, '' FROM ir, unnest(hopes) h
            UNION SELECT id, current_class, village_code, 'ASSISTANCE', coalesce(a->>'type', ''), coalesce(a->>'providerKind', '')
                FROM ir, jsonb_array_elements(assistance_received) a
            UNION SELECT id, current_class, village_code, 'PROVIDER', coalesce(a->>'provider', ''), coalesce(a->>'providerKind', '')
                FROM ir, jsonb_array_elements(assistance_received) a
        ), placed AS (
            SELECT l.level, CASE WHEN l.level = 0 THEN '' ELSE array_to_string((string_to_array(village_code, '.'))[1:l.level], '.') END AS region_code,
                   current_class, kind, item, detail
            FROM items, (VALUES (0), (1), (2), (3)) AS l(level)
        )
        SELECT level, region_code, current_class, kind, item, detail, count(*)::int FROM placed
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE reporting.needs_counts")
