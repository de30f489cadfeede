"""On PostgreSQL, a payroll line's report and worker checked per statement, not per line.

A foreign key makes PostgreSQL look up and lock the referenced row once for every line
inserted: at 100,000 lines, two seconds of an import's ten. Here the two constraints give
way to triggers:
- after each statement that inserts lines, every distinct report and worker they name is
  locked as a foreign key locks it (FOR KEY SHARE: a concurrent delete waits, then fails)
  and counted; fewer found than named is a line referring to a missing row. One lock per
  report or worker, not one per line;
- a line whose report or worker an update changes is checked, and locked, the same way;
- a report or worker that lines still refer to cannot be deleted, nor the tables truncated
  while lines remain (Django deletes a deleted report's lines first, refuses to delete a
  worker with lines, and flushes every table in one statement).
A violation is an IntegrityError, as a foreign key's was (`tests/test_intake_versions.py`).
The checks are immediate where Django's foreign keys were deferred to the commit: nothing
writes a line before its report and worker.

The models still declare the foreign keys, so Django's state, admin and deletes are as
before, and SQLite keeps its foreign keys (cheap there). A later migration on these columns
must mind the triggers: changing either column's type is refused while the update trigger
names it, removing or renaming a column or a table leaves triggers that name what is gone
(every insert then fails), and altering either field may add its constraint back (only
time lost). Such a migration drops the triggers first and creates them again after.
"""

from django.db import migrations

# The constraints Django made for PayrollLine.report and PayrollLine.worker.
COLUMNS = ("report_id", "worker_id")
TARGETS = {"report_id": "compliance_report", "worker_id": "compliance_worker"}

POSTGRESQL = """
CREATE FUNCTION compliance_lines_refer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named integer;
    found integer;
BEGIN
    SELECT count(DISTINCT report_id) INTO named FROM added;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM compliance_report WHERE id IN (SELECT report_id FROM added) FOR KEY SHARE
    ) locked;
    IF found < named THEN
        RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing report';
    END IF;
    SELECT count(DISTINCT worker_id) INTO named FROM added;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM compliance_worker WHERE id IN (SELECT worker_id FROM added) FOR KEY SHARE
    ) locked;
    IF found < named THEN
        RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing worker';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_lines_refer AFTER INSERT ON compliance_payrollline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION compliance_lines_refer();

-- Transition tables cannot go with a column list, so an update is checked line by line, and
-- only one that sets a line's report or worker (not the frequent is_current).
CREATE FUNCTION compliance_line_refers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM compliance_report WHERE id = NEW.report_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing report';
    END IF;
    IF NEW.worker_id IS NOT NULL THEN
        PERFORM 1 FROM compliance_worker WHERE id = NEW.worker_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing worker';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_line_refers AFTER UPDATE OF report_id, worker_id ON compliance_payrollline
    FOR EACH ROW EXECUTE FUNCTION compliance_line_refers();

-- A report or worker deleted: its id in the lines' column named by the trigger's argument.
CREATE FUNCTION compliance_lines_unused() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    used boolean;
BEGIN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM removed r JOIN compliance_payrollline l ON l.'
        || quote_ident(TG_ARGV[0]) || ' = r.id)' INTO used;
    IF used THEN
        RAISE foreign_key_violation USING MESSAGE = 'payroll lines refer to what is deleted';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_report_unused AFTER DELETE ON compliance_report
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION compliance_lines_unused('report_id');
CREATE TRIGGER compliance_worker_unused AFTER DELETE ON compliance_worker
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION compliance_lines_unused('worker_id');

-- After, not before: a TRUNCATE of several tables (Django's flush) empties the lines too.
CREATE FUNCTION compliance_lines_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM compliance_payrollline) THEN
        RAISE foreign_key_violation USING MESSAGE = 'payroll lines refer to what is truncated';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_report_truncated AFTER TRUNCATE ON compliance_report
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_lines_gone();
CREATE TRIGGER compliance_worker_truncated AFTER TRUNCATE ON compliance_worker
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_lines_gone();
"""

POSTGRESQL_UNDO = """
DROP TRIGGER compliance_lines_refer ON compliance_payrollline;
DROP TRIGGER compliance_line_refers ON compliance_payrollline;
DROP TRIGGER compliance_report_unused ON compliance_report;
DROP TRIGGER compliance_worker_unused ON compliance_worker;
DROP TRIGGER compliance_report_truncated ON compliance_report;
DROP TRIGGER compliance_worker_truncated ON compliance_worker;
DROP FUNCTION compliance_lines_refer();
DROP FUNCTION compliance_line_refers();
DROP FUNCTION compliance_lines_unused();
DROP FUNCTION compliance_lines_gone();
"""


def _foreign_keys(schema_editor) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "compliance_payrollline")
    return [
        name
        for name, found in constraints.items()
        if found["foreign_key"] and found["columns"] and found["columns"][0] in COLUMNS
    ]


def add_checks(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _foreign_keys(schema_editor):
        schema_editor.execute(
            f"ALTER TABLE compliance_payrollline DROP CONSTRAINT {schema_editor.quote_name(name)}"
        )
    schema_editor.execute(POSTGRESQL)


def remove_checks(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(POSTGRESQL_UNDO)
    for column, table in TARGETS.items():
        schema_editor.execute(
            f"ALTER TABLE compliance_payrollline ADD CONSTRAINT compliance_payrollline_{column}_fk "
            f"FOREIGN KEY ({column}) REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0026_wage_index_by_contractor"),
    ]

    operations = [migrations.RunPython(add_checks, remove_checks)]
