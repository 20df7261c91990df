# Backups (backup_scenarios.sh): leftovers on postgres.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/backup_scenarios.sh"
scen_leftovers
