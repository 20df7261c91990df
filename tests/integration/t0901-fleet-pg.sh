#!/usr/bin/env bash
# Fleets on PostgreSQL: 20 databases and 20 schemas of one database (a
# tenant each: search_path set to it, the history table in it), all
# brought to the bundle's version, each migration once per target; one
# unreachable; the summary and JSON; no password anywhere.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/pg.sh"
pg_start

put app/0001_a.up.sql 'create table items (id int primary key, name text);\n'
put app/0002_b.up.sql 'insert into items values (1, '"'"'one'"'"');\n'
put app/0003_c.up.sql 'create index items_name on items (name);\n'
expect_exit 0 "$MIGPACK" build --engines postgres -o app.tgz app

pw=s3cret-fleet
pg_password_role fleet "$pw"
base="postgresql://fleet:$pw@/%s?host=$PGHOST&port=$PGPORT"
: >fleet
for i in $(seq -w 1 20); do
	pg_createdb "shop$i"
	pg_psql -d "shop$i" -c "GRANT ALL ON SCHEMA public TO fleet; ALTER DATABASE shop$i OWNER TO fleet" >/dev/null
	printf "$base -- name=shop-$i\n" "shop$i" >>fleet
done
pg_createdb tenants
pg_psql -d tenants -c "ALTER DATABASE tenants OWNER TO fleet" >/dev/null
for i in $(seq -w 1 20); do
	pg_psql -d tenants -c "CREATE SCHEMA tenant_$i AUTHORIZATION fleet" >/dev/null
	printf "$base -- schema=tenant_$i\n" tenants >>fleet
done

expect_exit 0 "$MIGRUN" apply --targets fleet --parallel 8 --no-backup app.tgz
grep -q "$pw" "$T/out" "$T/err" && fail "a password in the output"
[ "$(grep -c ' ok$' "$T/out")" = 40 ] || fail "summary: $(cat "$T/out")"
for i in $(seq -w 1 20); do
	[ "$(pg_psql -At -d "shop$i" -c "SELECT string_agg(version, ',' ORDER BY version) FROM migpack_history")" = 0001,0002,0003 ] ||
		fail "shop$i not at 0003"
	[ "$(pg_psql -At -d tenants -c "SELECT count(*) FROM tenant_$i.items")" = 1 ] ||
		fail "tenant_$i: items not in its schema, or filled twice"
	[ "$(pg_psql -At -d tenants -c "SELECT count(*) FROM tenant_$i.migpack_history")" = 3 ] ||
		fail "tenant_$i: its history is not in its schema"
done
[ "$(pg_psql -At -d tenants -c "SELECT to_regclass('public.items') IS NULL")" = t ] ||
	fail "a tenant's table landed in public"
# The label of a schema target: the masked connection and the schema.
grep -q "fleet:\*\*\*@.* tenant_07 " "$T/out" || fail "labels: $(grep tenant_07 "$T/out")"
# A libpq key=value connection: its password masked in its label too.
echo "host=$PGHOST port=$PGPORT user=fleet password=$pw dbname=tenants -- schema=tenant_05" >kv
expect_exit 0 "$MIGRUN" status --targets kv app.tgz
grep -q "$pw" "$T/out" "$T/err" && fail "a password in a key=value target's report"
grep -q "password=\*\*\*.* tenant_05  *0003  *current$" "$T/out" || fail "key=value target: $(cat "$T/out")"

# status: all current; one unreachable is exit 1; no password in JSON.
expect_exit 0 "$MIGRUN" status --targets fleet app.tgz
grep -q "^40 targets: 40 at 0003; 40 current" "$T/out" || fail "status: $(tail -1 "$T/out")"
echo "postgresql://fleet:$pw@127.0.0.1:1/none?connect_timeout=2 -- name=gone" >>fleet
expect_exit 1 "$MIGRUN" status --targets fleet --json app.tgz
grep -q "$pw" "$T/out" "$T/err" && fail "a password in the status JSON"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["unreachable"] == 1 and d["current"] == 40, d
gone = [t for t in d["targets"] if t["target"] == "gone"][0]
assert gone["state"] == "unreachable" and gone["message"], gone' "$T/out" ||
	fail "status json: $(head -c 300 "$T/out")"
expect_exit 1 "$MIGRUN" apply --targets fleet --keep-going --json --no-backup app.tgz
grep -q "$pw" "$T/out" "$T/err" && fail "a password in the apply JSON"
# A schema that does not exist: that target fails, naming it.
echo "$(printf "$base" tenants) -- schema=tenant_99 name=t99" >one
expect_exit 1 "$MIGRUN" apply --targets one --no-backup app.tgz
grep -q "schema tenant_99 does not exist" "$T/out" || fail "$(cat "$T/out")"

# A schema target's backup holds its schema alone (into BACKUP_DIR/LABEL/);
# restoring one tenant's puts that tenant back and no other, what was made
# in its schema since left as it is.
put app/0004_d.up.sql "update items set name = 'changed';\ncreate table extra (n int);\n"
expect_exit 0 "$MIGPACK" build --engines postgres -o app4.tgz app
for i in 01 02 03; do printf "$base -- schema=tenant_$i name=t$i\n" tenants; done >three
expect_exit 0 "$MIGRUN" apply --targets three --backup-dir bk --pg-dump "$PG_BIN/pg_dump" app4.tgz
for i in 01 02 03; do
	f=$(ls bk/t$i/*.sql.gz)
	gunzip -c "$f" >dump.sql
	grep -q "^CREATE TABLE tenant_$i.items " dump.sql || fail "t$i's backup lacks its items: $(head -c 600 dump.sql)"
	grep -q "^CREATE TABLE tenant_$i.migpack_history " dump.sql || fail "t$i's backup lacks its history"
	! grep -E "tenant_(0[^$i]|[1-9].)|public\.|^CREATE TABLE [^t]" dump.sql || fail "t$i's backup holds more than its schema"
done
expect_exit 0 "$MIGRUN" restore --db "$(printf "$base" tenants)" --table tenant_02.migpack_history \
	--yes --no-backup --psql "$PG_BIN/psql" "$(ls bk/t02/*.sql.gz)"
expect_out "database at 0003"
grep -q "$pw" "$T/out" "$T/err" && fail "a password in the restore's output"
for i in 01 02 03; do
	want=changed
	[ $i = 02 ] && want=one
	[ "$(pg_psql -At -d tenants -c "SELECT name FROM tenant_$i.items")" = $want ] ||
		fail "tenant_$i after t02's restore: $(pg_psql -At -d tenants -c "SELECT * FROM tenant_$i.items")"
	[ "$(pg_psql -At -d tenants -c "SELECT to_regclass('tenant_$i.extra') IS NOT NULL")" = t ] ||
		fail "tenant_$i.extra, made since the backup, is gone"
done
