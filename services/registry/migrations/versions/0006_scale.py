"""National scale: exact IR counts kept per region, class and status; indexes matching the portal's pages.

Revision ID: 0006_scale
Revises: 0005_republish_facilitators

``registry.home_industry_counts`` holds how many IR each region (nation '', province, regency/city,
sub-district) has per class ('' before the first assessment) and status. Statement-level triggers
with transition tables add each writing statement's net change in the same transaction (COPY
included), so a reader's snapshot sees counts that agree with the rows it sees: exact under
concurrent writes, at the price of writers of the same region/class/status queueing on that counter
row until commit (registrations are clerks' work, not a hot path). Rows are upserted in key order so
two writers cannot lock them in opposite orders.

Indexes: the regency page walks (regency_code, id), the ministry's province × class page walks
(province, class, id), both in keyset order (queries name a province or regency by these columns
alone, which the new CHECK regency_code = left(village_code, 5) makes equivalent to the prefix), so a page reads its 51 rows and stops; the partner
reach walks consented IR by class.
"""
from alembic import op

from siir.migrations import execute_script

revision = "0006_scale"
down_revision = "0005_republish_facilitators"
branch_labels = None
depends_on = None

# The regions one IR counts in: the nation, its province, regency/city and sub-district.
_REGIONS = (
    "CROSS JOIN LATERAL (VALUES (''), (left(t.regency_code, 2)), (t.regency_code), "
    "(left(t.village_code, length(t.village_code) - strpos(reverse(t.village_code), '.')))) AS r(code)"
)


def _apply(rows: str) -> str:
    return (
        "INSERT INTO registry.home_industry_counts AS c (region_code, ir_class, status, n) "
        f"SELECT r.code, coalesce(t.current_class, ''), t.status, sum(t.delta) FROM ({rows}) AS t {_REGIONS} "
        "GROUP BY 1, 2, 3 HAVING sum(t.delta) <> 0 ORDER BY 1, 2, 3 "
        "ON CONFLICT (region_code, ir_class, status) DO UPDATE SET n = c.n + EXCLUDED.n"
    )


_NEW = "SELECT village_code, regency_code, current_class, status, 1 AS delta FROM new_rows"
_OLD = "SELECT village_code, regency_code, current_class, status, -1 AS delta FROM old_rows"


def upgrade() -> None:
    op.execute("LOCK TABLE registry.home_industries IN SHARE MODE")
    execute_script(
        """
        CREATE TABLE registry.home_industry_counts (
            region_code text NOT NULL,
            ir_class    text NOT NULL,
            status      text NOT NULL,
            n           bigint NOT NULL,  -- no CHECK (n >= 0): it would test the upsert's negative delta row before the conflict turns it into an update
            PRIMARY KEY (region_code, ir_class, status)
        )
        """
    )
    # Function bodies hold semicolons: one op.execute each, not execute_script.
    op.execute(
        f"""
        CREATE FUNCTION registry.count_home_industries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_apply(_NEW)};
            ELSIF TG_OP = 'UPDATE' THEN
                {_apply(_NEW + " UNION ALL " + _OLD)};
            ELSE
                {_apply(_OLD)};
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION registry.forget_home_industry_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM registry.home_industry_counts;
            RETURN NULL;
        END $$
        """
    )
    execute_script(
        f"""
        CREATE TRIGGER home_industries_count_insert AFTER INSERT ON registry.home_industries
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.count_home_industries();
        CREATE TRIGGER home_industries_count_update AFTER UPDATE ON registry.home_industries
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION registry.count_home_industries();
        CREATE TRIGGER home_industries_count_delete AFTER DELETE ON registry.home_industries
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.count_home_industries();
        CREATE TRIGGER home_industries_count_truncate AFTER TRUNCATE ON registry.home_industries
            FOR EACH STATEMENT EXECUTE FUNCTION registry.forget_home_industry_counts();
        {_apply(_NEW.replace("new_rows", "registry.home_industries"))};
        ALTER TABLE registry.home_industries ADD CONSTRAINT home_industries_regency_of_village
            CHECK (regency_code = left(village_code, 5));
        CREATE INDEX home_industries_regency ON registry.home_industries (regency_code, id);
        CREATE INDEX home_industries_province_class ON registry.home_industries (left(regency_code, 2), current_class, id);
        CREATE INDEX home_industries_province ON registry.home_industries (left(regency_code, 2), id);
        CREATE INDEX home_industries_consented ON registry.home_industries (current_class, id) WHERE consent_to_share;
        ANALYZE registry.home_industries
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE registry.home_industries DROP CONSTRAINT home_industries_regency_of_village;
        DROP INDEX registry.home_industries_regency, registry.home_industries_province_class,
            registry.home_industries_province, registry.home_industries_consented;
        DROP TRIGGER home_industries_count_insert ON registry.home_industries;
        DROP TRIGGER home_industries_count_update ON registry.home_industries;
        DROP TRIGGER home_industries_count_delete ON registry.home_industries;
        DROP TRIGGER home_industries_count_truncate ON registry.home_industries;
        DROP FUNCTION registry.count_home_industries(), registry.forget_home_industry_counts();
        DROP TABLE registry.home_industry_counts;
        """
    )
