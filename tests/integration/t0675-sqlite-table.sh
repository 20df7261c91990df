# The runner's 'table' scenario (scenarios.sh) on a SQLite file.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
scen_table
