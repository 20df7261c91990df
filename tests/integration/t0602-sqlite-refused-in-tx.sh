# The layouts' 'refused_in_tx' scenario (layout_scenarios.sh) on a SQLite
# file.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"
. "$TOP/tests/integration/layout_scenarios.sh"
scen_refused_in_tx
