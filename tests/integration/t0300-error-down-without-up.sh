#!/usr/bin/env bash
# A down script without an up script is refused, naming it.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0003_x.down.sql 'select 3;\n'
refused app "0003_x.down.sql': down script without an up script"

# A dialect down without an up for that engine (nor a generic one).
rm app/0003_x.down.sql
put app/0004_y.up.sqlite.sql 'select 4;\n'
put app/0004_y.down.postgres.sql 'select 4;\n'
refused app "0004_y.down.postgres.sql': down script without an up script"

# In the folder layout too.
rm app/0004_y.*
put app/0005_z/down.sql 'select 5;\n'
refused app "0005_z/down.sql': down script without an up script"
