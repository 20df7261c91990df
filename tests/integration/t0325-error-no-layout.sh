#!/usr/bin/env bash
# Files and folders that match no layout are refused, naming them: a typo in
# a suffix, an unknown subfolder, a stray file inside a migration folder.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0003_x.up.sq 'select 3;\n'
refused app "0003_x.up.sq'"
rm app/0003_x.up.sq
put app/0003_x.up.sql.bak 'select 3;\n'
refused app "0003_x.up.sql.bak"
rm app/0003_x.up.sql.bak
put app/helpers/0003_x.up.sql 'select 3;\n'
refused app "helpers"
rm -r app/helpers
put app/0004_f/up.sql 'select 4;\n'
put app/0004_f/undo.sql 'select 4;\n'
refused app "0004_f/undo.sql"
rm app/0004_f/undo.sql
put app/notes 'x\n'
refused app "notes"
