#!/usr/bin/env bash
# Layout 4, Flyway: V<version>__<desc>.sql, undo U<version>__<desc>.sql,
# repeatable R__<desc>.sql (kind repeatable, version "-" in MANIFEST, null
# in JSON, after every versioned migration, by name).
. "$(dirname "$0")/lib.sh"

sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
TAB=$'\t'

put fw/V1__init.sql 'create table a (x int);\n'
put fw/V1_1__add_y.sql 'alter table a add y int;\n'
put fw/U1_1__add_y.sql 'alter table a drop y;\n'
put fw/V2__b.sql 'create table b (x int);\n'
put fw/R__views.sql 'create or replace view v as select 1;\n'
put fw/R__a_view.sql 'create or replace view w as select 2;\n'

expect_exit 0 "$MIGPACK" build -o fw.tar.gz fw
tar xzOf fw.tar.gz MANIFEST >got.manifest || fail "cannot read MANIFEST"

# Flyway's 1_1 is version 1.1; the bundle may spell it either way but must
# use the same spelling in the migration line and in the path.
v11=$(awk -F'\t' '$1 == "migration" && $4 == "add_y" { print $3 }' got.manifest)
case $v11 in
1_1 | 1.1) ;;
*) fail "V1_1__add_y.sql has version '$v11': $(cat got.manifest)" ;;
esac

s() { echo "script$TAB$1$TAB$2$TAB$3${TAB}sha256:$(sha "$4")$TAB$5"; }
{
	echo "migpack-manifest${TAB}1"
	echo "name${TAB}fw"
	echo "release${TAB}2"
	echo "engines${TAB}postgres,sqlite"
	echo "migration${TAB}versioned${TAB}1${TAB}init"
	s up any transaction 'create table a (x int);\n' migrations/1_init/up.sql
	no_down any
	echo "migration${TAB}versioned${TAB}$v11${TAB}add_y"
	s up any transaction 'alter table a add y int;\n' migrations/${v11}_add_y/up.sql
	s down any transaction 'alter table a drop y;\n' migrations/${v11}_add_y/down.sql
	echo "migration${TAB}versioned${TAB}2${TAB}b"
	s up any transaction 'create table b (x int);\n' migrations/2_b/up.sql
	no_down any
	echo "migration${TAB}repeatable${TAB}-${TAB}a_view"
	s up any transaction 'create or replace view w as select 2;\n' repeatable/a_view/up.sql
	echo "migration${TAB}repeatable${TAB}-${TAB}views"
	s up any transaction 'create or replace view v as select 1;\n' repeatable/views/up.sql
} >want.manifest
diff -u want.manifest got.manifest || fail "MANIFEST differs (- expected, + got)"

mkdir x
tar xzf fw.tar.gz -C x
cmp fw/V1_1__add_y.sql "x/migrations/${v11}_add_y/up.sql" || fail "V1_1 up differs"
cmp fw/U1_1__add_y.sql "x/migrations/${v11}_add_y/down.sql" || fail "U1_1 differs"
cmp fw/R__views.sql x/repeatable/views/up.sql || fail "R__views differs"
cmp fw/R__a_view.sql x/repeatable/a_view/up.sql || fail "R__a_view differs"

expect_exit 0 "$MIGPACK" list --json fw.tar.gz
json=$(tr -d ' \n\t' <"$T/out")
for want in '"version":null,"name":"views","kind":"repeatable"' \
    '"version":null,"name":"a_view","kind":"repeatable"' \
    '"version":"2","name":"b","kind":"versioned"'; do
	case $json in
	*"$want"*) ;;
	*) fail "list --json lacks $want: $json" ;;
	esac
done
# Repeatables come after every versioned migration, a_view before views.
order=$(printf '%s' "$json" | grep -o '"name":"[a-z_]*","kind"' | cut -d'"' -f4 | tr '\n' ' ')
[ "$order" = "init add_y b a_view views " ] ||
	fail "list --json migration order is '$order'"
