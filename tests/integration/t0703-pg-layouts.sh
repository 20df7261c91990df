# The layouts' 'layouts' scenario (layout_scenarios.sh) on a PostgreSQL server.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/layout_scenarios.sh"
scen_layouts
