#!/usr/bin/env bash
# A script that is not UTF-8 is refused, naming it.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0002_bad.up.sql "select 'caf\xe9';\n"
refused app "0002_bad.up.sql"
put app/0002_bad.up.sql 'select 1;\n\xff\n'
refused app "0002_bad.up.sql"
# A truncated sequence at the very end.
put app/0002_bad.up.sql 'select 1; -- \xc3'
refused app "0002_bad.up.sql"
# In a down script and in a seed.
put app/0002_bad.up.sql 'select 1;\n'
put app/0002_bad.down.sql 'select 1; -- \xed\xa0\x80\n'
refused app "0002_bad.down.sql"
rm app/0002_bad.down.sql
put app/seeds/dev/t.csv 'id\n\xfe\n'
refused app "seeds/dev/t.csv"
