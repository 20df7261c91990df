# migrun seed on SQLite files: the example's profiles, the seeds table, NULL
# and "", the profile's choice, changed files and --clear, pending
# migrations, progress: scen_seed in seed_scenarios.sh.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/seed_scenarios.sh"
scen_seed
