#!/usr/bin/env bash
# A <version>_<name>.sql file is a dbmate or goose file: without markers, it
# is refused, naming it.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
put app/0002_plain.sql 'create table t (x int);\n'
refused app "0002_plain.sql"
put app/0002_plain.sql '-- just a comment\n\n'
refused app "0002_plain.sql"
put app/0002_plain.sql '-- migrate:down\ndrop table t;\n'
refused app "0002_plain.sql"
