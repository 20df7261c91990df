# The runner's 'apply-to' scenario (scenarios.sh) on a PostgreSQL server of its own.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
scen_apply_to
