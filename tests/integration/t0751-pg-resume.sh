# Resume (resume_scenarios.sh): killed between statements, on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/resume_scenarios.sh"
scen_resume_killed
scen_old_table
scen_old_table_not_owner
