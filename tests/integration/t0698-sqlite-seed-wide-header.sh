# migrun seed (seed_scenarios.sh): a header longer than a read, on SQLite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/seed_scenarios.sh"
scen_seed_wide
