#!/usr/bin/env bash
# Signed bundles and trusted keys (sign_scenarios.sh), on SQLite.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/sign_scenarios.sh"
scen_trust_refuses
rm -rf ./*
scen_history_upgrade
rm -rf ./*
scen_trust_dir_built_in
