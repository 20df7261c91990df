# Backups (backup_scenarios.sh): leftovers on sqlite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/backup_scenarios.sh"
scen_leftovers
