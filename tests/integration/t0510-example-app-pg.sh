# The example application in migrations/ on a PostgreSQL server of its own: apply, every down, apply.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
scen_example
