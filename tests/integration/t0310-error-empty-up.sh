#!/usr/bin/env bash
# An up script with nothing but whitespace and "--" comments is refused.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0002_empty.up.sql '\n  \t\n-- nothing here\n   -- nor here\n\n'
refused app "0002_empty.up.sql"
: >app/0002_empty.up.sql
refused app "0002_empty.up.sql"
rm app/0002_empty.up.sql
put app/0003_f/up.sql '-- only a comment'
refused app "0003_f/up.sql"
rm -r app/0003_f
put app/0004_m.sql '-- migrate:up\n-- todo\n\n-- migrate:down\nselect 1;\n'
refused app "0004_m.sql"
