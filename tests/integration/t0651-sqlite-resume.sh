# Resume (resume_scenarios.sh): killed between statements, on sqlite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/resume_scenarios.sh"
scen_resume_killed
scen_old_table
