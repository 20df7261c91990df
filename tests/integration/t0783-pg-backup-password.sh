# Backups (backup_scenarios.sh): no password on a command line or in output.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/backup_scenarios.sh"
scen_backup_password
