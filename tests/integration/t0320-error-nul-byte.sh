#!/usr/bin/env bash
# A script holding a NUL byte is refused, naming it.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0002_nul.up.sql 'select 1;\n\0select 2;\n'
refused app "0002_nul.up.sql"
put app/0002_nul.up.sql 'select 1;\n'
put app/0003_m.sql '-- migrate:up\nselect 3;\n-- migrate:down\nselect\0 4;\n'
refused app "0003_m.sql"
