#!/usr/bin/env bash
# list shows every migration's version and name (text) and the whole
# manifest as JSON with the documented keys.
. "$(dirname "$0")/lib.sh"

put app/0001_create_users.up.sql 'create table users (id int);\n'
put app/0001_create_users.down.sql 'drop table users;\n'
put app/0002_add_index.up.postgres.sql '-- migpack:no-transaction\ncreate index concurrently i on users (id);\n'
put app/0002_add_index.up.sqlite.sql 'create index i on users (id);\n'
put app/0010_more.up.sql 'select 10;\n'
put app/R__views.sql 'create or replace view v as select 1;\n'
put app/seeds/default/users.csv 'id\n1\n'
put app/seeds/default/extra.sql 'insert into users values (2);\n'
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$MIGPACK" build -o b.tar.gz --name myapp --version 1.4.2 app

expect_exit 0 "$MIGPACK" list b.tar.gz
cp "$T/out" text
for v in "0001 create_users" "0002 add_index" "0010 more"; do
	grep -qE "^${v% *}[[:space:]]+${v#* }([[:space:]]|\$)" text ||
		fail "list lacks a line for '$v': $(cat text)"
done
grep -qE '(^|[[:space:]])views([[:space:]]|$)' text || fail "list lacks R__views: $(cat text)"
grep -q myapp text || fail "list does not name the bundle: $(cat text)"
grep -q 1.4.2 text || fail "list does not show the release: $(cat text)"
# In manifest order.
order=$(grep -oE '^(0001|0002|0010)' text | tr '\n' ' ')
[ "$order" = "0001 0002 0010 " ] || fail "list order '$order'"

expect_exit 0 "$MIGPACK" list --json b.tar.gz
cp "$T/out" json
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool json >/dev/null || fail "list --json is not JSON: $(cat json)"
else
	echo "SKIP: no python3, the JSON syntax check did not run"
fi
[ "$(wc -l <json)" -eq 1 ] || fail "list --json is not one line"
j=$(tr -d ' \n\t' <json)
case $j in
'{'*'}') ;;
*) fail "list --json is not one object: $j" ;;
esac
for want in '"name":"myapp"' '"release":"1.4.2"' '"created":"2023-11-14T22:13:20Z"' \
    '"migrations":[{' '"seeds":[{' \
    '"version":"0001","name":"create_users","kind":"versioned","transaction":"transaction","dialects":["any"],"scripts":[{' \
    '"version":"0002","name":"add_index","kind":"versioned","transaction":"mixed","dialects":["postgres","sqlite"]' \
    '"version":null,"name":"views","kind":"repeatable"' \
    '{"role":"up","dialect":"postgres","transaction":"no-transaction","sha256":"' \
    '"path":"migrations/0002_add_index/up.postgres.sql"}' \
    '{"role":"down","dialect":"any","transaction":"transaction","sha256":"' \
    '{"profile":"default","table":"users","format":"csv","sha256":"' \
    '{"profile":"default","table":null,"format":"sql","sha256":"' \
    '"path":"seeds/default/users.csv"}'; do
	case $j in
	*"$want"*) ;;
	*) fail "list --json lacks $want: $j" ;;
	esac
done
# Each script's sha256 is the one in MANIFEST.
tar xzOf b.tar.gz MANIFEST | awk -F'\t' '$1 == "script" || $1 == "seed" { print $5, $6 }' |
while read -r sha path; do
	case $j in
	*"\"sha256\":\"${sha#sha256:}\",\"path\":\"$path\""*) ;;
	*) fail "list --json lacks $path with its ${sha}" ;;
	esac
done

# list reads only the manifest but still refuses what is not a bundle.
printf 'not a bundle\n' >nb.tar.gz
rc=0
"$MIGPACK" list nb.tar.gz >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "list accepted a file that is no bundle"
expect_err "migpack: "
expect_exit 2 "$MIGPACK" list
