# migrun sql on a PostgreSQL server: scen_sql_guard in sql_scenarios.sh.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/sql_scenarios.sh"
scen_sql_guard
