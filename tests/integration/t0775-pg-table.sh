# The runner's 'table' scenario (scenarios.sh) on a PostgreSQL server of its own.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
scen_table
