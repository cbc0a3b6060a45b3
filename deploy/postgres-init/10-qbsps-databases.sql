-- The two databases of a deployment on one PostgreSQL server, each owned by a role of its own:
-- Dagster's storage (runs, event log, schedules) and the qbsps ledger. Safe to run again: what
-- exists is left alone (a password is set anew). Run by the postgres image on its first start
-- (/docker-entrypoint-initdb.d), or by hand as a superuser with the variables of qbsps.env:
--   set -a; . /etc/qbsps/qbsps.env; set +a; psql -h 127.0.0.1 -U postgres -f 10-qbsps-databases.sql
-- Needs psql 15 or later (\getenv). The tables themselves are made by `qbsps db upgrade` (ledger)
-- and `dagster instance migrate` (Dagster), never here.
\set ON_ERROR_STOP on
\set dagster_user dagster
\set dagster_db dagster
\set dagster_password ''
\set qbsps_user qbsps
\set qbsps_db qbsps
\set qbsps_password ''
\getenv dagster_user DAGSTER_PG_USERNAME
\getenv dagster_password DAGSTER_PG_PASSWORD
\getenv dagster_db DAGSTER_PG_DB
\getenv qbsps_user QBSPS_PG_USERNAME
\getenv qbsps_password QBSPS_PG_PASSWORD
\getenv qbsps_db QBSPS_PG_DB
-- A role without a password could only log in under trust auth: refuse to make one.
SELECT :'dagster_password' = '' AS no_dagster_password, :'qbsps_password' = '' AS no_qbsps_password \gset
\if :no_dagster_password
  DO $$ BEGIN RAISE EXCEPTION 'DAGSTER_PG_PASSWORD is not set'; END $$;
\endif
\if :no_qbsps_password
  DO $$ BEGIN RAISE EXCEPTION 'QBSPS_PG_PASSWORD is not set'; END $$;
\endif

SELECT format('CREATE ROLE %I LOGIN', :'dagster_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'dagster_user') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'qbsps_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'qbsps_user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'dagster_user', :'dagster_password') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'qbsps_user', :'qbsps_password') \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'dagster_db', :'dagster_user', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dagster_db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'qbsps_db', :'qbsps_user', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'qbsps_db') \gexec

-- Neither role reaches the other's database.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dagster_db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'qbsps_db') \gexec
