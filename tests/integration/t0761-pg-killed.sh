# migrun killed at many points (kill_scenarios.sh): apply, down, seed and
# backup on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/kill_scenarios.sh"
scen_kill_apply
scen_kill_down
scen_kill_seed
scen_kill_backup
