#!/usr/bin/env bash
# Signed bundles and trusted keys (sign_scenarios.sh), on PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/sign_scenarios.sh"
scen_trust_refuses
rm -rf ./*.tgz ./*.pub ./*.key app keys
scen_history_upgrade
rm -rf ./*.tgz ./*.pub ./*.key app
scen_history_not_owner
