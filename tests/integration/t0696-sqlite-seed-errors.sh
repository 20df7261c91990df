# migrun seed's failures on SQLite files: all or nothing, malformed CSV
# and rejected values named by file, physical line and column, a failing
# .sql seed: scen_seed_errors in seed_scenarios.sh.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/seed_scenarios.sh"
scen_seed_errors
