"""The production set-up under test: Dagster storage and the ledger on PostgreSQL, the document
batch jobs on dagster-celery with a real broker and two `dagster-celery worker` processes."""
