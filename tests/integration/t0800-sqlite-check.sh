# migrun check (check_scenarios.sh) on SQLite, in memory and on a file.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/check_scenarios.sh"
scen_check
