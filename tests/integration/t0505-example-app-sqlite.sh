# The example application in migrations/ on a SQLite file: apply, every down, apply.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
scen_example
