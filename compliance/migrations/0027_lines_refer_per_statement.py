"""On PostgreSQL, a payroll line's report and worker checked per statement, not per line.

A foreign key makes PostgreSQL look up and lock the referenced row once for every line
inserted: at 100,000 lines, two seconds of an import's ten. Here the two constraints give
way to triggers that check the same:
- after each statement that inserts lines, one anti-join over the lines it added (its
  transition table) finds any whose report or worker does not exist;
- a line whose report or worker an update changes is checked;
- a report or worker that lines still refer to cannot be deleted (Django deletes the lines
  of a deleted report first, and refuses to delete a worker with lines).
A violation is an IntegrityError, as a foreign key's was (`tests/test_intake_versions.py`).
The models still declare the foreign keys, so Django's state, admin and deletes are as
before; a later migration that alters either field may add its constraint back, which
costs time, not correctness. SQLite keeps its foreign keys: cheap there.
"""

from django.db import migrations

# The constraints Django made for PayrollLine.report and PayrollLine.worker.
COLUMNS = ("report_id", "worker_id")
TARGETS = {"report_id": "compliance_report", "worker_id": "compliance_worker"}

POSTGRESQL = """
CREATE FUNCTION compliance_lines_refer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM added a
        WHERE NOT EXISTS (SELECT 1 FROM compliance_report r WHERE r.id = a.report_id)
           OR (a.worker_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM compliance_worker w WHERE w.id = a.worker_id))
    ) THEN
        RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing report or worker';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_lines_refer AFTER INSERT ON compliance_payrollline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION compliance_lines_refer();

CREATE FUNCTION compliance_line_refers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM compliance_report r WHERE r.id = NEW.report_id)
       OR (NEW.worker_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM compliance_worker w WHERE w.id = NEW.worker_id)) THEN
        RAISE foreign_key_violation USING MESSAGE = 'a payroll line refers to a missing report or worker';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_line_refers AFTER UPDATE OF report_id, worker_id ON compliance_payrollline
    FOR EACH ROW EXECUTE FUNCTION compliance_line_refers();

CREATE FUNCTION compliance_report_unused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM removed r JOIN compliance_payrollline l ON l.report_id = r.id) THEN
        RAISE foreign_key_violation USING MESSAGE = 'payroll lines refer to this report or worker';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_report_unused AFTER DELETE ON compliance_report
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION compliance_report_unused();

CREATE FUNCTION compliance_worker_unused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM removed w JOIN compliance_payrollline l ON l.worker_id = w.id) THEN
        RAISE foreign_key_violation USING MESSAGE = 'payroll lines refer to this report or worker';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER compliance_worker_unused AFTER DELETE ON compliance_worker
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION compliance_worker_unused();
"""

POSTGRESQL_UNDO = """
DROP TRIGGER compliance_lines_refer ON compliance_payrollline;
DROP TRIGGER compliance_line_refers ON compliance_payrollline;
DROP TRIGGER compliance_report_unused ON compliance_report;
DROP TRIGGER compliance_worker_unused ON compliance_worker;
DROP FUNCTION compliance_lines_refer();
DROP FUNCTION compliance_line_refers();
DROP FUNCTION compliance_report_unused();
DROP FUNCTION compliance_worker_unused();
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
