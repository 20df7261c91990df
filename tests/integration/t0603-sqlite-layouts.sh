# The layouts' 'layouts' scenario (layout_scenarios.sh) on SQLite files.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/layout_scenarios.sh"
scen_layouts
