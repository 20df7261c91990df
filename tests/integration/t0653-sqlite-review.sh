#!/usr/bin/env bash
# migrun review (review_scenarios.sh), on SQLite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/review_scenarios.sh"
scen_review_formats
rm -rf app ./*.tgz
scen_review_html
