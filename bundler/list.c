#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "bundle.h"
#include "cmd.h"
#include "commands.h"
#include "signature.h"
#include "json.h"

static int exec_list(int argc, char **argv, struct err *err);

static const struct option list_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	LIMIT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.opts = list_opts,
	.usage = "[--json] BUNDLE",
	.help =
	    "List the migrations and seeds of BUNDLE from its manifest: for\n"
	    "each migration its version, name, kind, transaction mode, the\n"
	    "dialects it has scripts for and the start of its up script's\n"
	    "SHA-256.  It reads the manifest only; 'verify' checks contents.\n\n"
	    "  --json               one JSON object (shape in README.md)\n"
	    LIMIT_HELP,
	.exec = exec_list,
};

/* "transaction", "no-transaction", or "mixed" across the up scripts. */
static const char *mig_tx(const struct manifest_migration *mig)
{
	int seen[2] = { 0, 0 };
	size_t i;

	for (i = 0; i < mig->nr_scripts; i++)
		if (mig->scripts[i].role == ROLE_UP)
			seen[mig->scripts[i].tx] = 1;
	return seen[0] && seen[1] ? "mixed" : tx_name(seen[1]);
}

/* The dialects with an up script, comma-separated. */
static void mig_dialects(const struct manifest_migration *mig, struct buf *b,
    int json)
{
	size_t i;

	for (i = 0; i < mig->nr_scripts; i++) {
		const struct manifest_script *s = &mig->scripts[i];

		if (s->role != ROLE_UP)
			continue;
		if (b->len && b->data[b->len - 1] != '[')
			buf_addch(b, ',');
		if (json)
			json_str(b, dialect_name(s->dialect));
		else
			buf_addstr(b, dialect_name(s->dialect));
	}
}

static const struct manifest_script *first_up(
    const struct manifest_migration *mig)
{
	size_t i;

	for (i = 0; i < mig->nr_scripts; i++)
		if (mig->scripts[i].role == ROLE_UP)
			return &mig->scripts[i];
	return NULL;
}

static void list_text(const struct manifest *m, const struct bundle_sig *sig,
    struct buf *out)
{
	struct buf d = BUF_INIT;
	size_t i;

	buf_addf(out, "bundle %s, release %s, for ", m->name, m->release);
	engines_write(m->engines, out);
	buf_addf(out, "%s%s, ", m->created ? ", built " : "",
	    m->created ? m->created : "");
	bundle_sig_describe(sig, out);
	buf_addstr(out, "\n\n");
	buf_addf(out, "%-20s %-32s %-10s %-14s %-20s %s\n", "VERSION", "NAME",
	    "KIND", "TRANSACTION", "DIALECTS", "SHA256");
	for (i = 0; i < m->nr_migrations; i++) {
		const struct manifest_migration *mig = &m->migrations[i];

		buf_reset(&d);
		mig_dialects(mig, &d, 0);
		buf_addf(out, "%-20s %-32s %-10s %-14s %-20s %.12s\n",
		    mig->version ? mig->version : "-", mig->name,
		    kind_name(mig->kind), mig_tx(mig), d.data,
		    first_up(mig)->file.sha256);
	}
	if (m->nr_seeds)
		buf_addf(out, "\n%-20s %-32s %-10s %s\n", "PROFILE", "FILE",
		    "FORMAT", "SHA256");
	for (i = 0; i < m->nr_seeds; i++) {
		const struct manifest_seed *s = &m->seeds[i];
		const char *file = strrchr(s->file.path, '/');

		buf_addf(out, "%-20s %-32s %-10s %.12s\n", s->profile,
		    file ? file + 1 : s->file.path,
		    seed_format_name(s->file.format), s->file.sha256);
	}
	buf_release(&d);
}

static void json_file(struct buf *out, const struct manifest_file *f)
{
	buf_addstr(out, "\"sha256\": ");
	json_str(out, f->sha256);
	buf_addstr(out, ", \"path\": ");
	json_str(out, f->path);
}

static void list_json(const struct manifest *m, const struct bundle_sig *sig,
    struct buf *out)
{
	enum dialect d;
	size_t i, j;

	buf_addstr(out, "{\"name\": ");
	json_str(out, m->name);
	buf_addstr(out, ", \"release\": ");
	json_str(out, m->release);
	buf_addstr(out, ", ");
	bundle_sig_json(sig, out);
	buf_addstr(out, ", \"created\": ");
	json_str(out, m->created);
	buf_addstr(out, ", \"engines\": [");
	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
		if (manifest_for_engine(m, d))
			buf_addf(out, "%s\"%s\"", out->data[out->len - 1] == '[' ?
			    "" : ", ", dialect_name(d));
	buf_addch(out, ']');
	buf_addstr(out, ", \"migrations\": [");
	for (i = 0; i < m->nr_migrations; i++) {
		const struct manifest_migration *mig = &m->migrations[i];

		buf_addstr(out, i ? ", {\"version\": " : "{\"version\": ");
		json_str(out, mig->version);
		buf_addstr(out, ", \"name\": ");
		json_str(out, mig->name);
		buf_addf(out, ", \"kind\": \"%s\", \"transaction\": \"%s\", "
		    "\"dialects\": [", kind_name(mig->kind), mig_tx(mig));
		mig_dialects(mig, out, 1);
		buf_addstr(out, "], \"scripts\": [");
		for (j = 0; j < mig->nr_scripts; j++) {
			const struct manifest_script *s = &mig->scripts[j];

			buf_addf(out, "%s{\"role\": \"%s\", \"dialect\": \"%s\", "
			    "\"transaction\": \"%s\", ", j ? ", " : "",
			    role_name(s->role), dialect_name(s->dialect),
			    tx_name(s->tx));
			json_file(out, &s->file);
			buf_addch(out, '}');
		}
		buf_addstr(out, "], \"findings\": [");
		for (j = 0; j < mig->nr_findings; j++) {
			const struct manifest_finding *f = &mig->findings[j];

			buf_addf(out, "%s{\"script\": \"%s\", \"dialect\": "
			    "\"%s\", \"line\": %u, \"rule\": \"%s\", "
			    "\"severity\": \"%s\", \"silenced\": %s, "
			    "\"message\": ", j ? ", " : "", role_name(f->role),
			    dialect_name(f->dialect), f->line, f->rule,
			    severity_name(f->severity),
			    f->silenced ? "true" : "false");
			json_str(out, f->message);
			buf_addch(out, '}');
		}
		buf_addstr(out, "]}");
	}
	buf_addstr(out, "], \"seeds\": [");
	for (i = 0; i < m->nr_seeds; i++) {
		const struct manifest_seed *s = &m->seeds[i];

		buf_addstr(out, i ? ", {\"profile\": " : "{\"profile\": ");
		json_str(out, s->profile);
		buf_addstr(out, ", \"table\": ");
		json_str(out, s->table);
		buf_addf(out, ", \"format\": \"%s\", ",
		    seed_format_name(s->file.format));
		json_file(out, &s->file);
		buf_addch(out, '}');
	}
	buf_addstr(out, "]}\n");
}

static int exec_list(int argc, char **argv, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct bundle_reader *r = NULL;
	struct buf out = BUF_INIT;
	const struct trust none = TRUST_INIT;
	struct bundle_sig sig;
	int c, ret, json = 0;

	while ((c = getopt_long(argc, argv, "", list_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_list_entry);
		if (c == 'j')
			json = 1;
		else if (c == '?' || c == ':' ||
		    limit_option(c, optarg, &limits))
			return cmd_bad_option(&cmd_list_entry, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_list_entry, err, "expected one BUNDLE");
	if ((ret = bundle_reader_open(&r, argv[optind], &limits, err)))
		return ret;
	/* Said as it is, not verified: migpack verify --trust does that. */
	if ((ret = bundle_sig_check(r, argv[optind], &none, &sig, err)))
		goto out;
	if (json)
		list_json(bundle_reader_manifest(r), &sig, &out);
	else
		list_text(bundle_reader_manifest(r), &sig, &out);
	fwrite(out.data, 1, out.len, stdout);
out:
	buf_release(&out);
	bundle_reader_close(r);
	return ret;
}
