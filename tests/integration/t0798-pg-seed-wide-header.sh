# migrun seed (seed_scenarios.sh): a header longer than a read, on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/seed_scenarios.sh"
scen_seed_wide
