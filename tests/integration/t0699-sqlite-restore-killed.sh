# Backups (backup_scenarios.sh): restore-killed on sqlite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/backup_scenarios.sh"
scen_restore_killed
