# migrun seed's scenarios, written once for both engines: a test sources
# lib.sh, an engine (engine/*.sh), scenarios.sh, then this file, and calls
# one scenario.  Counts of CSV records come from Python's csv module (some
# fields hold newlines), never from wc -l.

# csv_rows FILE: the data records of FILE, its header not counted.
csv_rows() {
	python3 -c 'import csv, sys
print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1)' "$1" ||
	    fail "cannot parse $1"
}

# csv_cols FILE COLUMN...: the named columns of every data record of FILE,
# joined by '|', one record per line, sorted.
csv_cols() {
	python3 -c 'import csv, sys
rows = csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
for line in sorted("|".join(r[c] for c in sys.argv[2:]) for r in rows):
    print(line)' "$@" || fail "cannot parse $1"
}

# seeds_want BUNDLE PROFILE DIR: what the seeds table should hold for
# PROFILE of BUNDLE (built from DIR), per file "path|sha256:...|rows" (rows
# "null" for a .sql file), from migpack list --json and the files themselves.
seeds_want() {
	"$MIGPACK" list --json "$1" >"$T/list.json" ||
	    fail "migpack list --json $1 failed"
	python3 -c 'import csv, json, os, sys
d = json.load(open(sys.argv[1]))
for s in sorted(d["seeds"], key=lambda s: s["path"]):
    if s["profile"] != sys.argv[2]:
        continue
    n = "null"
    if s["format"] == "csv":
        f = open(os.path.join(sys.argv[3], s["path"]), newline="", encoding="utf-8")
        n = sum(1 for _ in csv.reader(f)) - 1
    print("%s|sha256:%s|%s" % (s["path"], s["sha256"], n))' \
	    "$T/list.json" "$2" "$3" || fail "cannot read $T/list.json"
}

# seeds_got PROFILE: the same, from the seeds table.
seeds_got() {
	q "SELECT path, checksum, coalesce(CAST(row_count AS TEXT), 'null')
	    FROM migpack_seeds WHERE profile = '$1' ORDER BY path"
}

# snapshot FILE: every table of the database (by name) and all its rows,
# sorted: "the database has what it had before" compares two of these.
snapshot() {
	local t tables
	if [ "$ENGINE" = sqlite ]; then
		tables=$(q "SELECT name FROM sqlite_master WHERE type = 'table'
		    ORDER BY name")
	else
		tables=$(q "SELECT schemaname || '.' || tablename FROM pg_tables
		    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
		    ORDER BY 1")
	fi
	for t in $tables; do
		echo "== $t"
		q "SELECT * FROM $t" | LC_ALL=C sort
	done >"$1"
}

# unchanged BEFORE WHY: the database is as snapshot BEFORE recorded it.
unchanged() {
	snapshot "$T/after.snap"
	cmp -s "$1" "$T/after.snap" ||
	    fail "$2: the database changed: $(diff "$1" "$T/after.snap" | head -20)"
}

# The seed test application: kinds, and notes that refer to them (STRICT on
# SQLite, so that a column's type rejects a value on both engines), and one
# profile, default, with an unquoted empty field (NULL), a quoted "" (an
# empty string) and a quoted field over two lines with a doubled quote.
sapp() {
	local d=$1 strict=
	[ "$ENGINE" = sqlite ] && strict=' STRICT'
	put "$d/0001_create_kinds.up.sql" \
	    'CREATE TABLE kinds (id integer PRIMARY KEY, name text NOT NULL);\n'
	put "$d/0002_create_notes.up.sql" "CREATE TABLE notes (
    id       integer PRIMARY KEY,
    kind_id  integer REFERENCES kinds (id),
    body     text,
    tag      text NOT NULL,
    qty      integer NOT NULL CHECK (qty >= 0)
)$strict;\n"
	put "$d/seeds/default/kinds.csv" 'id,name\n1,alpha\n2,beta\n'
	put "$d/seeds/default/notes.csv" \
	    'id,kind_id,body,tag,qty\n1,1,,"",0\n2,1,"",plain,1\n3,2,"two ""quoted""\nlines",x,2\n'
}

# big_notes FILE ROWS [BAD]: ROWS notes (ids from 1001), every seventh
# with a body over three lines holding doubled quotes, enough for the
# loader to read the file in several pieces; with BAD, the BADth note's qty
# is "many".  Prints "ROWS|total length of the bodies|total qty", then the
# physical line the BADth note starts on.
big_notes() {
	python3 -c 'import sys
path, n = sys.argv[1], int(sys.argv[2])
bad = int(sys.argv[3]) if len(sys.argv) > 3 else 0
line, at, size, total = 2, 0, 0, 0
with open(path, "w", newline="") as f:
    f.write("id,kind_id,body,tag,qty\n")
    for i in range(1, n + 1):
        body = "note %d" % i
        if i % 7 == 0:
            body = "note %d \"quoted\"\nsecond line\nthird" % i
        qty = i % 100
        total += qty
        size += len(body)
        if i == bad:
            at, qty = line, "many"
        f.write("%d,1,\"%s\",t,%s\n" % (1000 + i, body.replace("\"", "\"\""), qty))
        line += body.count("\n") + 1
print("%d|%d|%d" % (n, size, total))
print(at)' "$@" || fail "cannot write $1"
}

# What notes' body and tag are: NULL, empty or text.
kind_of() {
	echo "CASE WHEN $1 IS NULL THEN 'null' WHEN $1 = '' THEN 'empty'
	    ELSE 'text' END"
}

# example_counts PROFILE: the example application's tables hold as many rows
# as PROFILE's CSV files have records.
example_counts() {
	local t
	for t in bot_settings guild_rules guild_onboarding_questions; do
		same "$t rows ($1)" "$(q "SELECT count(*) FROM $t")" \
		    "$(csv_rows "$TOP/migrations/seeds/$1/$t.csv")"
	done
}

scen_seed() {
	local want rules_sql welcome
	# The example application: every file of the default profile.
	"$MIGPACK" build -o ex.tgz --name example-app "$TOP/migrations" \
	    >/dev/null || fail "building the example failed"
	newdb example
	mr 0 apply --no-backup ex.tgz
	mr 0 seed ex.tgz
	[ ! -s "$T/err" ] || fail "seed wrote to stderr: $(cat "$T/err")"
	expect_out "profile default: 4 files loaded, 0 unchanged"
	expect_out "loaded     seeds/default/guild_rules.csv  $(csv_rows \
	    "$TOP/migrations/seeds/default/guild_rules.csv") rows"
	expect_out "loaded     seeds/default/90_faq.sql"
	example_counts default
	same faq "$(q 'SELECT count(*) FROM faq_entries')" 21
	# A quoted field over two lines, with a doubled quote, arrives whole.
	welcome=$'Hey {user}, welcome to "Pixel Forge"!\nGrab a role in #roles; then say hi in #general.'
	same welcome_message "$(q "SELECT welcome_message FROM bot_settings
	    WHERE guild_id = 812345678901234500")" "$welcome"
	same "welcome_message length" "$(q "SELECT length(welcome_message)
	    FROM bot_settings WHERE guild_id = 812345678901234500")" \
	    "${#welcome}"
	same title "$(q "SELECT title FROM guild_rules
	    WHERE guild_id = 812345678901234500 AND rule_number = 6")" \
	    'No "drama"'
	# The seeds table: one row per file, its checksum as migpack lists
	# it, and the rows of a CSV file.
	want=$(seeds_want ex.tgz default "$TOP/migrations")
	same "seeds rows" "$(echo "$want" | wc -l)" 4
	same "seeds table" "$(seeds_got default)" "$want"
	same "seeds bundle" "$(q "SELECT DISTINCT bundle_name, bundle_release
	    FROM migpack_seeds")" "example-app|0010"

	# Again: nothing changed, nothing loaded.
	snapshot "$T/loaded.snap"
	mr 0 seed ex.tgz
	expect_out "profile default: all 4 files unchanged, nothing loaded"
	example_counts default
	same faq "$(q 'SELECT count(*) FROM faq_entries')" 21
	unchanged "$T/loaded.snap" "a second seed"
	mr 0 seed --quiet ex.tgz
	[ ! -s "$T/out" ] || fail "--quiet printed: $(cat "$T/out")"

	# A seed file changed since it was loaded: refused whole.
	cp -R "$TOP/migrations" ex2
	rules_sql="SELECT guild_id, rule_number, title FROM guild_rules"
	sed -i '2s/,Be respectful,/,Be kind,/' ex2/seeds/default/guild_rules.csv
	grep -q '^812345678901234500,1,Be kind,' \
	    ex2/seeds/default/guild_rules.csv || fail "the edit did not take"
	"$MIGPACK" build -o ex2.tgz --name example-app ex2 >/dev/null ||
	    fail "building the edited example failed"
	mr 3 seed ex2.tgz
	expect_err "seeds/default/guild_rules.csv: changed since it was loaded"
	unchanged "$T/loaded.snap" "a seed refused for a changed file"
	mr 2 seed --clear ex2.tgz
	expect_err "--yes"
	unchanged "$T/loaded.snap" "--clear without --yes"
	mr 0 seed --clear --yes ex2.tgz
	expect_out "profile default: 4 files loaded, 0 unchanged"
	same "guild_rules after --clear" "$(q "$rules_sql" | LC_ALL=C sort)" \
	    "$(csv_cols ex2/seeds/default/guild_rules.csv guild_id \
	    rule_number title | LC_ALL=C sort)"
	same "the edited rule" "$(q "SELECT title FROM guild_rules
	    WHERE guild_id = 812345678901234500 AND rule_number = 1")" "Be kind"
	example_counts default
	# 90_faq.sql ran again, replacing its rows rather than adding more.
	same "faq after --clear" "$(q 'SELECT count(*) FROM faq_entries')" 21
	same "seeds table after --clear" "$(seeds_got default)" \
	    "$(seeds_want ex2.tgz default ex2)"
	mr 0 seed ex2.tgz
	expect_out "all 4 files unchanged"

	# Pending migrations: refused, and nothing is created.  (A SQLite
	# file that is not there is not created either: an empty one is.)
	newdb pending
	if [ "$ENGINE" = sqlite ]; then
		mr 2 seed ex.tgz
		expect_err "no such database file"
		[ ! -e "$DBFILE" ] || fail "seed created the database file"
		sqlite3 "$DBFILE" 'VACUUM'
	fi
	mr 3 seed ex.tgz
	expect_err "run migrun apply first"
	has_table migpack_seeds && fail "a refused seed created its table"
	has_table migpack_history && fail "a refused seed created the history"
	has_table bot_settings && fail "a refused seed ran migrations"
	mr 0 apply --no-backup --to 0005 ex.tgz
	snapshot "$T/pending.snap"
	mr 3 seed ex.tgz
	expect_err "5 migrations pending"
	has_table migpack_seeds && fail "a refused seed created its table"
	unchanged "$T/pending.snap" "a seed refused for pending migrations"

	# The minimal profile, asked for by name, on a fresh database.
	newdb minimal
	mr 0 apply --no-backup ex.tgz
	mr 0 seed --profile minimal ex.tgz
	expect_out "profile minimal: 4 files loaded"
	example_counts minimal
	same faq "$(q 'SELECT count(*) FROM faq_entries')" 2
	same "seeds table" "$(seeds_got minimal)" \
	    "$(seeds_want ex.tgz minimal "$TOP/migrations")"
	same "no default rows" "$(q "SELECT count(*) FROM migpack_seeds
	    WHERE profile <> 'minimal'")" 0
	same "minimal guild" "$(q "SELECT guild_name FROM bot_settings
	    WHERE guild_id = 812345678901235611")" "Test Guild"

	# The small application: NULL and empty strings.
	newdb small
	sapp s
	"$MIGPACK" build --engines "$ENGINE" -o s.tgz --name s s >/dev/null || fail "building s failed"
	mr 0 apply --no-backup s.tgz
	mr 0 seed s.tgz
	[ ! -s "$T/err" ] || fail "seed without --progress wrote to stderr: $(cat "$T/err")"
	same notes "$(q "SELECT id, $(kind_of body), $(kind_of tag)
	    FROM notes ORDER BY id")" "1|null|empty
2|empty|text
3|text|text"
	same "note 3" "$(q 'SELECT body FROM notes WHERE id = 3')" \
	    $'two "quoted"\nlines'
	same "seeds rows" "$(q "SELECT path, row_count FROM migpack_seeds
	    ORDER BY path")" "seeds/default/kinds.csv|2
seeds/default/notes.csv|3"

	# --clear empties the tables last file first: notes refer to kinds.
	sapp s2
	put s2/seeds/default/notes.csv \
	    'id,kind_id,body,tag,qty\n5,2,new,t,9\n'
	bundle s2 s2.tgz
	mr 3 seed s2.tgz
	expect_err "seeds/default/notes.csv: changed since it was loaded"
	mr 0 seed --clear --yes s2.tgz
	same "notes after --clear" "$(q 'SELECT id, kind_id, body, qty
	    FROM notes')" "5|2|new|9"
	same "kinds after --clear" "$(q 'SELECT id, name FROM kinds
	    ORDER BY id')" "1|alpha
2|beta"

	# A file read in many pieces, records spanning lines across them.
	newdb big
	put s/seeds/big/kinds.csv 'id,name\n1,one\n'
	want=$(big_notes s/seeds/big/notes.csv 30000 | head -n1)
	"$MIGPACK" build --engines "$ENGINE" -o s.tgz --name s s >/dev/null || fail "building s failed"
	mr 0 apply --no-backup s.tgz
	mr 0 seed --profile big --progress s.tgz
	expect_out "loaded     seeds/big/notes.csv  30000 rows"
	same "big notes" "$(q 'SELECT count(*), sum(length(body)), sum(qty)
	    FROM notes')" "$want"
	same "big note 7" "$(q 'SELECT body FROM notes WHERE id = 30995')" \
	    $'note 29995 "quoted"\nsecond line\nthird'
	grep -q '^seeds/big/notes\.csv: 30000 rows, ' "$T/err" ||
	    fail "no progress line for the big file: $(cat "$T/err")"
	same "big seeds row" "$(q "SELECT row_count FROM migpack_seeds
	    WHERE path = 'seeds/big/notes.csv'")" 30000

	# Another seeds table, by name.
	newdb named
	mr 0 apply --no-backup s.tgz
	mr 0 seed --seeds-table loaded_seeds s.tgz
	has_table migpack_seeds && fail "--seeds-table still wrote migpack_seeds"
	same "named seeds" "$(q 'SELECT count(*) FROM loaded_seeds')" 2

	# One profile, not named default: it is the default.
	newdb choice
	sapp one
	rm -r one/seeds/default
	put one/seeds/dev/kinds.csv 'id,name\n7,dev\n'
	bundle one one.tgz
	mr 0 apply --no-backup one.tgz
	mr 0 seed one.tgz
	expect_out "profile dev: 1 file loaded"
	same "dev kinds" "$(q 'SELECT id, name FROM kinds')" "7|dev"
	# Two profiles, neither named default: the runner names both.
	sapp two
	rm -r two/seeds/default
	put two/seeds/alpha/kinds.csv 'id,name\n8,alpha\n'
	put two/seeds/beta/kinds.csv 'id,name\n9,beta\n'
	bundle two two.tgz
	snapshot "$T/choice.snap"
	mr 2 seed two.tgz
	expect_err "alpha"
	expect_err "beta"
	expect_err "--profile"
	mr 2 seed --profile nope two.tgz
	expect_err "nope"
	mr 2 seed --profile nope one.tgz
	expect_err "nope"
	unchanged "$T/choice.snap" "a seed without a profile"
	mr 0 seed --profile beta two.tgz
	same "beta kinds" "$(q 'SELECT id, name FROM kinds ORDER BY id')" "7|dev
9|beta"

	# Progress: asked for, it is reported though stderr is no
	# terminal: a line per CSV file, naming it and its rows.
	newdb progress
	mr 0 apply --no-backup s.tgz
	mr 0 seed --progress s.tgz
	grep -q '^seeds/default/kinds\.csv: 2 rows' "$T/err" ||
	    fail "no progress line for kinds.csv: $(cat "$T/err")"
	grep -q '^seeds/default/notes\.csv: 3 rows' "$T/err" ||
	    fail "no progress line for notes.csv: $(cat "$T/err")"
	expect_out "profile default: 2 files loaded"
	# On a terminal: a bar, when asked for.
	if command -v script >/dev/null 2>&1; then
		newdb progress_tty
		mr 0 apply --no-backup s.tgz
		script -q -e -c "$(printf '%q ' "$MIGRUN" seed --progress \
		    --db "$DB" s.tgz) >$T/tty.out" /dev/null </dev/null \
		    >"$T/tty.err" 2>&1 || fail "seed on a terminal failed: $(cat "$T/tty.err")"
		grep -q 'seeds/default/notes\.csv \[#*\] 100%  3 rows' \
		    "$T/tty.err" || fail "no progress bar: $(cat -v "$T/tty.err")"
		grep -q 'profile default: 2 files loaded' "$T/tty.out" ||
		    fail "stdout: $(cat "$T/tty.out")"
		# Not asked for, a load shorter than a second shows nothing.
		newdb quiet_tty
		mr 0 apply --no-backup s.tgz
		script -q -e -c "$(printf '%q ' "$MIGRUN" seed \
		    --db "$DB" s.tgz) >$T/tty.out" /dev/null </dev/null \
		    >"$T/tty.err" 2>&1 || fail "seed on a terminal failed: $(cat "$T/tty.err")"
		[ ! -s "$T/tty.err" ] ||
		    fail "a short seed drew progress: $(cat -v "$T/tty.err")"
		same "tty rows" "$(q 'SELECT count(*) FROM notes')" 3
	fi
}

# seed_fails CODE PROFILE TEXT...: seed PROFILE of s.tgz exits CODE with
# every TEXT in its message, and leaves the database as it was.
seed_fails() {
	local code=$1 profile=$2 text
	shift 2
	snapshot "$T/before.snap"
	mr "$code" seed --profile "$profile" s.tgz
	for text in "$@"; do
		expect_err "$text"
	done
	unchanged "$T/before.snap" "a failed seed of profile $profile"
}

# A multi-line record before the one at fault: the line named must be
# the physical one.
MULTI='"a note\nover three\nlines"'

scen_seed_errors() {
	newdb errors
	sapp s
	# All or nothing: kinds.csv loads, then notes.csv fails.
	put s/seeds/half/kinds.csv 'id,name\n10,ten\n11,eleven\n'
	put s/seeds/half/notes.csv \
	    'id,kind_id,body,tag,qty\n10,10,x,t,1\n11,11,y,t,-1\n'
	# Malformed CSV, and values the table rejects.
	put s/seeds/toomany/kinds.csv 'id,name\n30,x\n31,y,z\n'
	put s/seeds/toofew/kinds.csv "id,name\n30,$MULTI\n31\n32,z\n"
	put s/seeds/quote/kinds.csv 'id,name\n30,x\n31,a"b\n'
	put s/seeds/unterminated/kinds.csv 'id,name\n30,x\n31,"open\n32,y\n'
	put s/seeds/badvalue/kinds.csv 'id,name\n40,forty\n'
	put s/seeds/badvalue/notes.csv \
	    "id,kind_id,body,tag,qty\n40,40,$MULTI,t,1\n41,40,b,t,1\n42,40,c,t,many\n43,40,d,t,1\n44,40,e,t,1\n45,40,f,t,1\n"
	put s/seeds/notnull/notes.csv \
	    "id,kind_id,body,tag,qty\n40,1,$MULTI,t,1\n41,1,b,,1\n"
	put s/seeds/check/notes.csv \
	    "id,kind_id,body,tag,qty\n40,1,$MULTI,t,1\n41,1,$MULTI,t,2\n42,1,c,t,-5\n"
	# Deep in a file read in pieces, after many multi-line records.
	mkdir -p s/seeds/bigbad
	BIGBAD_LINE=$(big_notes s/seeds/bigbad/notes.csv 30000 25001 | tail -n1)
	# A header naming a column the table lacks.
	put s/seeds/badheader/kinds.csv 'id,nmae\n60,x\n'
	# A failing .sql seed, after one that worked.
	put s/seeds/badsql/05_ok.sql "INSERT INTO kinds (id, name) VALUES (50, 'fifty');\n"
	put s/seeds/badsql/10_bad.sql \
	    "-- the third line fails\nINSERT INTO kinds (id, name) VALUES (51, 'fifty-one');\nINSERT INTO nope VALUES (1);\nINSERT INTO kinds (id, name) VALUES (52, 'never');\n"
	put s/seeds/badsql/kinds.csv 'id,name\n53,x\n'
	# A line of \. alone, which COPY would take for the end of its data,
	# is refused on both engines.
	put s/0003_create_words.up.sql 'CREATE TABLE words (w text);\n'
	put s/seeds/copyend/words.csv 'w\nfine\n\\.\nafter\n'
	"$MIGPACK" build --engines "$ENGINE" -o s.tgz --name s s >/dev/null || fail "building s failed"
	mr 0 apply --no-backup s.tgz

	# A failure in the very first seed leaves no seeds table behind.
	seed_fails 2 toomany
	has_table migpack_seeds && fail "a failed seed left its table"
	mr 0 seed s.tgz
	same seeds "$(q 'SELECT count(*) FROM migpack_seeds')" 2

	# The first file's rows go with the second file's failure.
	seed_fails 1 half "seeds/half/notes.csv:3: "
	same "half kinds" "$(q 'SELECT count(*) FROM kinds WHERE id >= 10')" 0
	same "half seeds" "$(q 'SELECT count(*) FROM migpack_seeds')" 2
	same "half profile" "$(q "SELECT count(*) FROM migpack_seeds
	    WHERE profile = 'half'")" 0

	# Malformed CSV: the file, the physical line and the column, exactly.
	seed_fails 2 toomany \
	    "migrun: seeds/toomany/kinds.csv:3: column 3: 3 values, but the header names 2 columns"
	seed_fails 2 toofew \
	    "migrun: seeds/toofew/kinds.csv:5: column 2: 1 values, but the header names 2 columns"
	seed_fails 2 quote \
	    "migrun: seeds/quote/kinds.csv:3: column 2: a quote inside an unquoted field"
	seed_fails 2 unterminated \
	    "migrun: seeds/unterminated/kinds.csv:4: column 2: unterminated quoted field (it opens on line 3)"
	# A header naming a column the table lacks: line 1.
	seed_fails 1 badheader "migrun: seeds/badheader/kinds.csv:1: " nmae
	# A .sql seed names its file and line; nothing stays.
	seed_fails 1 badsql "seeds/badsql/10_bad.sql:3: " "$NO_TABLE_MSG"
	same "badsql kinds" "$(q 'SELECT count(*) FROM kinds WHERE id >= 50')" 0
	same seeds "$(q 'SELECT count(*) FROM migpack_seeds')" 2
	# A value the column rejects: the engine's words, after the place,
	# which is the physical line though earlier records span several.
	seed_fails 1 badvalue "migrun: seeds/badvalue/notes.csv:6: column 5 (qty): "
	if [ "$ENGINE" = postgres ]; then
		expect_err 'invalid input syntax for type integer: "many"'
	else
		expect_err "cannot store TEXT value in INTEGER column notes.qty"
	fi
	seed_fails 1 bigbad \
	    "migrun: seeds/bigbad/notes.csv:$BIGBAD_LINE: column 5 (qty): "
	seed_fails 1 notnull "migrun: seeds/notnull/notes.csv:5: "
	if [ "$ENGINE" = sqlite ]; then
		expect_err "seeds/notnull/notes.csv:5: column 4 (tag): "
		expect_err "NOT NULL constraint failed: notes.tag"
	else
		expect_err 'null value in column "tag"'
	fi
	seed_fails 1 check "migrun: seeds/check/notes.csv:8: "
	if [ "$ENGINE" = postgres ]; then
		expect_err 'violates check constraint "notes_qty_check"'
	else
		expect_err "CHECK constraint failed: qty >= 0"
	fi

	seed_fails 2 copyend "seeds/copyend/words.csv:3: column 1: \\. alone"
	same words "$(q 'SELECT count(*) FROM words')" 0

	same kinds "$(q 'SELECT id FROM kinds ORDER BY id')" "1
2"
}

# The bundle is read once, each file checked as it streams into the
# database: a seed file or a later file changed inside the bundle rolls
# everything back (exit 3), naming the file.
scen_seed_tampered() {
	local paths victim
	newdb tampered
	sapp s
	put s/seeds/zlast/kinds.csv 'id,name\n7,seven\n'
	"$MIGPACK" build --engines "$ENGINE" -o s.tgz --name s s >/dev/null || fail "building s failed"
	mr 0 apply --no-backup s.tgz
	mkdir x
	tar xzf s.tgz -C x
	paths=$(tar tzf s.tgz)
	for victim in seeds/default/kinds.csv seeds/zlast/kinds.csv; do
		rm -rf y
		cp -r x y
		# One byte of the file, its length kept: "alpha" to "blpha".
		sed -i 's/alpha/blpha/; s/seven/sevem/' "y/$victim"
		cmp -s "x/$victim" "y/$victim" && fail "test setup: $victim unchanged"
		tar czf bad.tgz -C y $paths
		snapshot "$T/before.snap"
		mr 3 seed bad.tgz
		expect_err "$victim"
		unchanged "$T/before.snap" "a seed from a tampered bundle"
	done
	# Nothing to load: the bundle is still checked.
	mr 0 seed s.tgz
	rm -rf y
	cp -r x y
	sed -i 's/seven/sevem/' y/seeds/zlast/kinds.csv
	tar czf bad.tgz -C y $paths
	mr 3 seed bad.tgz
	expect_err seeds/zlast/kinds.csv
}

# A header longer than one read of the bundle (64 KiB): 1,200 columns
# with 63-byte names.  PostgreSQL's COPY must still get the file whole.
scen_seed_wide() {
	newdb wide
	python3 - <<'EOS'
import os
cols = ["c%04d_%s" % (i, "x" * 57) for i in range(1200)]
os.makedirs("w/seeds/default", exist_ok=True)
with open("w/0001_wide.up.sql", "w") as f:
    f.write("CREATE TABLE wide (\n    " +
            ",\n    ".join(c + " integer" for c in cols) + "\n);\n")
with open("w/seeds/default/wide.csv", "w") as f:
    f.write(",".join(cols) + "\n")
    for r in range(3):
        f.write(",".join(str(r * 10000 + i) for i in range(1200)) + "\n")
EOS
	[ "$(head -n1 w/seeds/default/wide.csv | wc -c)" -gt 65536 ] ||
	    fail "test setup: the header fits in 64 KiB"
	"$MIGPACK" build --engines "$ENGINE" -o w.tgz --name w w >/dev/null || fail "building w failed"
	mr 0 apply --no-backup w.tgz
	mr 0 seed w.tgz
	expect_out "wide.csv  3 rows"
	same "last column" "$(q "SELECT sum(c1199_$(printf 'x%.0s' {1..57})) FROM wide")" \
	    $((1199 + 11199 + 21199))
}
