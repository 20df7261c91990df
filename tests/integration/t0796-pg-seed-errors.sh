# migrun seed's failures on a PostgreSQL server: all or nothing, malformed CSV
# and rejected values named by file, physical line and column, a failing
# .sql seed: scen_seed_errors in seed_scenarios.sh.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/seed_scenarios.sh"
scen_seed_errors
