# migrun check (check_scenarios.sh) on a scratch PostgreSQL database.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/check_scenarios.sh"
scen_check
