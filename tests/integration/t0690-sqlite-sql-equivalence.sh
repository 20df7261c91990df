# migrun sql on SQLite files: scen_sql_equivalence in sql_scenarios.sh.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/sql_scenarios.sh"
scen_sql_equivalence
