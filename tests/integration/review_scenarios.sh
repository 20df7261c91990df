# migrun review, for an engine: each format from an empty database, part
# way, assumed (--from), with drift, rolled back; the SHA-256 it gives is
# migrun sql's for the same plan; every byte escaped; findings at their
# lines; the HTML valid (tidy), opened by a real browser that requests
# nothing.

# An app of our own: a table, a no-transaction index (no down), and a
# migration whose text would run in a page that did not escape it.
review_setup() {
	put app/0001_users.up.sql 'create table users (id int primary key, email text, nick text);\n'
	put app/0001_users.down.sql 'drop table users;\n'
	put app/0002_email_idx.up.sql '-- migpack:no-transaction\ncreate index users_email on users (email);\n'
	put app/0003_notes.up.sql "-- </script><script>alert(1)</script> <img src=x onerror=alert(2)>\ncreate table notes (id int, body text default '&amp; ]]> \`\`\` | *x*');\nalter table users drop column nick;\n"
	put app/0003_notes.down.sql 'drop table notes;\n'
	expect_exit 0 "$MIGPACK" build -o app.tgz app
}

# expect_flat TEXT: the page holds TEXT, however its lines wrap.
expect_flat() {
	tr -s ' \n' '  ' <"$T/out" | grep -qF -- "$1" ||
		fail "the page lacks '$1': $(cat "$T/out")"
}

# review ARGS...: exit 0, the page in $T/out.
review() {
	expect_exit 0 "$MIGRUN" review "$@"
}

# The script SHA-256 a page names.
page_sha() {
	sed -n 's/.*migrun sql script[^s]*sha256:\([0-9a-f]\{64\}\).*/\1/p' "$1" | head -n1
}

# all_formats WANT_EXIT SQL_ARGS -- REVIEW_ARGS...: the page in each
# format (page.txt, page.md, page.html) exits WANT_EXIT; with SQL_ARGS
# (not "-"), each names the SHA-256 of migrun sql SQL_ARGS; the HTML
# passes tidy.
all_formats() {
	local want=$1 sql=$2 ext sha
	shift 3
	for ext in txt md html; do
		expect_exit "$want" "$MIGRUN" review "$@" -o "page.$ext"
		[ -s "page.$ext" ] || fail "no page.$ext"
		grep -q "Review of " "page.$ext" || fail "page.$ext: no title"
		[ "$sql" = - ] && continue
		sha=$(page_sha "page.$ext")
		# shellcheck disable=SC2086
		expect_exit 0 "$MIGRUN" sql $sql
		[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$sha" ] ||
			fail "page.$ext ($*): the SHA-256 is not that of migrun sql $sql"
	done
	tidy -e -q page.html >tidy.txt 2>&1 || [ $? -eq 1 ] || fail "tidy: $(cat tidy.txt)"
}

scen_review_formats() {
	local f sha
	review_setup
	newdb review
	# Usage errors, as migrun sql's: exit 2, nothing written.
	expect_exit 2 "$MIGRUN" review -o bad.html app.tgz
	expect_err "--dialect postgres or --dialect sqlite is required without --db"
	expect_exit 2 "$MIGRUN" review --dialect "$DIALECT" --format pdf app.tgz
	expect_err "--format: html, md or text"
	expect_exit 2 "$MIGRUN" review --db "$DB" --from 0001 app.tgz
	expect_err "give --from or --db, not both"
	expect_exit 2 "$MIGRUN" review --db "$DB" --down app.tgz
	expect_err "--down needs --to VERSION or --to base"
	expect_exit 2 "$MIGRUN" review --db "$DB" --to 9999 app.tgz
	expect_err "--to 9999: the bundle has no such migration"
	[ ! -e bad.html ] || fail "a page for a usage error"
	# From an empty database, each format; -o picks it by extension.
	review --db "$DB" app.tgz
	expect_out "Review of app 0003: upgrade"
	expect_out "Target"
	expect_flat "Current version no version"
	expect_out "Outside a transaction    1"
	expect_out "Without a down script    1"
	expect_out "     1 | create table users (id int primary key, email text, nick text);"
	expect_flat "No down script: this migration cannot be rolled back."
	expect_out "migrun apply --db '"
	cp "$T/out" empty.txt
	review --db "$DB" -o page.md app.tgz
	grep -q '^```sql$' page.md || fail "no fenced sql in page.md"
	grep -q '^| Migrations to run | 3 |$' page.md || fail "page.md: $(head -30 page.md)"
	review --db "$DB" -o page.html app.tgz
	head -n1 page.html | grep -q '^<!DOCTYPE html>$' || fail "not HTML"
	review --db "$DB" --format text -o page.html.txt app.tgz
	cmp -s page.html.txt empty.txt || fail "--format text differs from the default"
	# The same inputs, the same bytes; --timestamp adds the time.
	review --db "$DB" -o again.html app.tgz
	cmp -s page.html again.html || fail "two pages differ"
	review --db "$DB" --timestamp app.tgz
	expect_out "Written at"
	grep -q "Written at" page.html && fail "a time without --timestamp"

	all_formats 0 "--db $DB app.tgz" -- --db "$DB" app.tgz
	all_formats 0 "--dialect $DIALECT app.tgz" -- --dialect "$DIALECT" app.tgz

	# The SHA-256 is migrun sql's, byte for byte, for the same plan.
	for f in empty.txt page.md page.html; do
		sha=$(page_sha "$f")
		[ -n "$sha" ] || fail "$f names no script SHA-256"
		expect_exit 0 "$MIGRUN" sql --db "$DB" app.tgz
		[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$sha" ] ||
			fail "$f: the SHA-256 is not migrun sql's"
	done
	# Read only: nothing created.
	has_table migpack_history && fail "review changed the database"

	# Part way.
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 app.tgz
	review --db "$DB" app.tgz
	expect_flat "Current version 0001"
	expect_out "apply 2 migrations, to 0003"
	grep -q "0001 users" "$T/out" && fail "an applied migration is listed"
	sha=$(page_sha "$T/out")
	expect_exit 0 "$MIGRUN" sql --db "$DB" app.tgz
	[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$sha" ] || fail "part way: not migrun sql's"
	all_formats 0 "--db $DB app.tgz" -- --db "$DB" app.tgz
	# --from, no database; --to.
	review --from 0001 --dialect "$DIALECT" --to 0002 app.tgz
	expect_flat "a $DIALECT database (--from)"
	expect_flat "Current version 0001"
	expect_out "apply 1 migration, to 0002"
	sha=$(page_sha "$T/out")
	expect_exit 0 "$MIGRUN" sql --from 0001 --dialect "$DIALECT" --to 0002 app.tgz
	[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$sha" ] || fail "--from: not migrun sql's"
	# --down: the stored down scripts, newest first.
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup app.tgz
	expect_exit 2 "$MIGRUN" review --db "$DB" --down --to base app.tgz
	expect_err "no down script"
	all_formats 0 "--db $DB --down --to 0002 app.tgz" -- --db "$DB" --down --to 0002 app.tgz
	review --db "$DB" --down --to 0002 app.tgz
	expect_out "Review of app 0003: rollback"
	expect_out "roll back 1 migration, to 0002"
	expect_out "     1 | drop table notes;"
	sha=$(page_sha "$T/out")
	expect_exit 0 "$MIGRUN" sql --db "$DB" --down --to 0002 app.tgz
	[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$sha" ] || fail "--down: not migrun sql's"

	# --previous: what this release changes of the last one.
	mkdir old
	cp app/0001_* app/0002_* old/
	expect_exit 0 "$MIGPACK" build --name app -o old.tgz old
	review --dialect "$DIALECT" --previous old.tgz app.tgz
	expect_out "Changes since app 0002"
	expect_flat "1 added, 0 changed, 0 removed; 0 not allowed"
	expect_flat "added versioned 0003 notes"
	all_formats 0 "--dialect $DIALECT app.tgz" -- --dialect "$DIALECT" --previous old.tgz app.tgz
	grep -q "Changes since app 0002" page.html || fail "page.html: no changes"
	review --dialect "$DIALECT" --previous old.tgz -o prev.md app.tgz
	grep -q '^| added | versioned | 0003 notes | yes |$' prev.md || fail "prev.md: $(grep added prev.md)"
	expect_exit 1 "$MIGRUN" review --dialect "$DIALECT" --previous nope.tgz app.tgz
	expect_err "--previous: 'nope.tgz': No such file or directory"

	# Drift: the page, the problem on top, no SHA-256, then exit 3.
	put app/0001_users.up.sql 'create table users (id bigint primary key, email text, nick text);\n'
	expect_exit 0 "$MIGPACK" build -o drift.tgz app
	expect_exit 3 "$MIGRUN" review --db "$DB" -o drift.html drift.tgz
	expect_err "drift"
	[ -s drift.html ] || fail "no page for a refused plan"
	grep -q "Refused: this plan cannot run as it is" drift.html || fail "no problem on top"
	grep -q "migrun sql script.*none: the plan is refused" drift.html ||
		fail "a refused plan has a SHA-256"
	# A released migration edited: the page says so, then exit 3.
	expect_exit 3 "$MIGRUN" review --dialect "$DIALECT" --previous old.tgz -o edited.html drift.tgz
	expect_err "1 change to what app 0002 released is not allowed (the page lists them)"
	grep -q '<td>changed</td><td>versioned</td><td>0001 users: up script' edited.html ||
		fail "edited.html: $(grep -A3 'Changes since' edited.html)"
	[ "$(grep -n "Refused" drift.html | head -n1 | cut -d: -f1)" -lt \
	  "$(grep -n "Summary" drift.html | head -n1 | cut -d: -f1)" ] || fail "the problem is not on top"
	expect_exit 3 "$MIGRUN" review --db "$DB" drift.tgz
	expect_out "0001 users: applied as sha256:"
	expect_flat "Drift on the database 1 changed, 0 missing"
	all_formats 3 - -- --db "$DB" drift.tgz
	grep -q "none: the plan is refused" page.md || fail "page.md has a SHA-256"

	# A dirty migration: its page, then exit 3.
	newdb dirty
	put bad/0001_a.up.sql 'create table a (n int);\n'
	put bad/0002_b.up.sql '-- migpack:no-transaction\ncreate table b (n int);\ninsert into nope values (1);\n'
	expect_exit 0 "$MIGPACK" build -o bad.tgz bad
	expect_exit 1 "$MIGRUN" apply --db "$DB" --no-backup bad.tgz
	all_formats 3 - -- --db "$DB" bad.tgz
	grep -q "is dirty" page.txt || fail "page.txt: $(head -30 page.txt)"
	expect_err "review refused: migration 0002 (b) is dirty"
}

# Escaping, findings, folding, the HTML validated and opened in a browser.
scen_review_html() {
	local i
	review_setup
	# A long script folds.
	for i in $(seq 150); do echo "insert into users values ($i, 'u$i');"; done >app/0004_many.up.sql
	expect_exit 0 "$MIGPACK" build -o app.tgz app
	review --dialect "$DIALECT" -o page.html app.tgz
	# Escaped: shown, never markup.
	grep -q '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;' page.html || fail "</script> not escaped"
	grep -q '&lt;img src=x onerror=alert(2)&gt;' page.html || fail "<img> not escaped"
	grep -q '&amp;amp; ]]&gt;' page.html || fail "&amp; or ]]> not escaped"
	grep -qi '<script' page.html && fail "a <script> in the page"
	grep -qi '<img' page.html && fail "an <img> in the page"
	grep -q '<details>' page.html || fail "150 lines not folded"
	# Markdown: the fence is longer than the script's backticks.
	review --dialect "$DIALECT" -o page.md app.tgz
	grep -q '^````sql$' page.md || fail "page.md: fence not lengthened"
	if [ "$DIALECT" = postgres ]; then
		# Lint's findings, at their lines; the destructive one counted.
		grep -q 'warning index-not-concurrent' page.html || fail "no finding shown"
		grep -q 'warning drop-column' page.html || fail "no drop-column"
		grep -q 'Destructive statements</th><td>1<' page.html || fail "destructive not counted"
		# A password in the URL never reaches the page.
		newdb reviewpw
		pg_password_role reviewer s3cret-rv
		review --db "postgresql://reviewer:s3cret-rv@/$DBNAME?host=$PGHOST&port=$PGPORT" -o pw.html app.tgz
		grep -q s3cret-rv pw.html "$T/out" "$T/err" && fail "the password is on the page"
		grep -q "reviewer:\*\*\*@" pw.html || fail "no masked URL: $(grep -i target pw.html)"
		review --dialect postgres app.tgz
		grep -A1 '^     2 | create index users_email' "$T/out" | grep -q '\^ warning index-not-concurrent' ||
			fail "the finding is not under its line: $(grep -A2 'create index' "$T/out")"
	fi
	# Valid HTML.
	tidy -e -q page.html >tidy.txt 2>&1 || [ $? -eq 1 ] || fail "tidy: $(cat tidy.txt)"
	grep -q 'Error:' tidy.txt && fail "tidy: $(cat tidy.txt)"
	# A real browser, scripts off, every host unresolvable: it shows the
	# summary and every migration, takes a screenshot, requests nothing.
	# The check sees a page's request: an image from elsewhere.
	printf '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><img src="http://review.invalid/x.png" alt="x"></body></html>\n' >leak.html
	browse_netlog leak.html
	page_requests net.json >requests.txt && fail "the request check saw nothing"
	grep -q "http://review.invalid/x.png" requests.txt || fail "requests: $(cat requests.txt)"
	browse page.html
	for i in "Migrations to run" "0001 users" "0002 email_idx" "0003 notes" "0004 many"; do
		grep -qF "$i" dom.html || fail "the browser does not show '$i'"
	done
}

# chrome ARGS...: headless Chromium, every host unresolvable, none of its
# own background traffic that can be turned off.
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$T/chrome" --host-resolver-rules="MAP * ~NOTFOUND" \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-default-apps \
	    --disable-domain-reliability --no-pings \
	    --disable-client-side-phishing-detection \
	    --disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate \
	    "$@"
}

# browse_netlog PAGE: shot.png, a screenshot of PAGE, and net.json, the
# browser's network log while it showed it.
browse_netlog() {
	rm -f shot.png net.json
	chrome --window-size=1200,1600 --screenshot="$T/shot.png" \
	    --log-net-log="$T/net.json" --net-log-capture-mode=Everything \
	    "file://$T/$1" >/dev/null 2>&1 || fail "chromium --screenshot failed"
	[ -s shot.png ] && [ -s net.json ] || fail "chromium wrote no screenshot or log"
}

# browse PAGE: dom.html (the DOM chromium built), shot.png checked not
# blank, and no request by the page.  (Headless Chromium dumps and shoots
# nothing with JavaScript off; the page has no script, and its CSP allows
# none.)
browse() {
	chrome --dump-dom "file://$T/$1" >dom.html 2>/dev/null ||
		fail "chromium --dump-dom failed"
	browse_netlog "$1"
	python3 - shot.png <<'PY' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w = struct.unpack(">I", body[:4])[0]
    if kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
# Filter bytes aside, a blank page is one colour: count distinct bytes in
# the first rows of pixels.
assert len(set(raw[:w * 4 * 200])) > 16, "one colour"
PY
	page_requests net.json >requests.txt ||
		fail "the page made a request: $(cat requests.txt)"
}

# page_requests NETLOG: the requests a page made (the browser's own, for
# updates and the like, start with no initiator): none, or fail listing
# them.
page_requests() {
	python3 - "$1" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
made = [e["params"]["url"] for e in log["events"]
        if e["type"] == start and e.get("params", {}).get("initiator",
        "not an origin") != "not an origin"
        and not e["params"]["url"].startswith(("file:", "data:"))]
print("\n".join(made))
sys.exit(1 if made else 0)
PY
}
