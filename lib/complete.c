/* PROGRAM completion bash|zsh: completion scripts written from the command
 * table, so they know every command and option the program has. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"

/* What an option's value, or a command's operands, complete to. */
enum kind { K_NONE, K_FILE, K_DIR, K_BUNDLE, K_DIR_BUNDLE, K_WORDS };

static const struct {
	const char *opt;
	enum kind kind;
	const char *words;
} values[] = {
	{ "dialect", K_WORDS, "postgres sqlite" },
	{ "format", K_WORDS, "html md text" },
	{ "engines", K_WORDS, "postgres sqlite postgres,sqlite" },
	{ "unparsed", K_WORDS, "error warn" },
	{ "dir", K_DIR, NULL },
	{ "backup-dir", K_DIR, NULL },
	{ "previous", K_BUNDLE, NULL },
	{ "output", K_FILE, NULL },
	{ "trust", K_FILE, NULL },
	{ "sign", K_FILE, NULL },
	{ "key", K_FILE, NULL },
	{ "pg-dump", K_FILE, NULL },
	{ "psql", K_FILE, NULL },
	{ "o", K_FILE, NULL },
	{ "p", K_FILE, NULL },
	{ "s", K_FILE, NULL },
};

static enum kind value_kind(const char *opt, const char **words)
{
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!strcmp(values[i].opt, opt)) {
			*words = values[i].words;
			return values[i].kind;
		}
	*words = NULL;
	return K_NONE;
}

/* What a command's operands are, from its usage line: its words outside
 * brackets, and a bracketed one alone ("[BUNDLE]"). */
static enum kind operand_kind(const struct cmd_entry *e)
{
	struct buf w = BUF_INIT;
	const char *p = e->usage, *end;
	enum kind k = K_NONE;
	int depth = 0;

	buf_addch(&w, ' ');
	for (; *p; p++) {
		if (*p == '[' && depth == 0 && (end = strchr(p, ']')) &&
		    end - p > 1 && strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
		    (size_t)(end - p - 1)) {
			buf_add(&w, p + 1, (size_t)(end - p - 1));
			p = end;
			continue;
		}
		if (*p == '[' || *p == '(')
			depth++;
		else if ((*p == ']' || *p == ')') && depth)
			depth--;
		else if (!depth)
			buf_addch(&w, *p);
	}
	buf_addch(&w, ' ');
	if (strstr(w.data, " DIR|BUNDLE ") || (strstr(w.data, " OLD ") &&
	    strstr(w.data, " NEW ")))
		k = K_DIR_BUNDLE;
	else if (strstr(w.data, " BUNDLE "))
		k = K_BUNDLE;
	else if (strstr(w.data, " DIR "))
		k = K_DIR;
	else if (strstr(w.data, " FILE "))
		k = K_FILE;
	buf_release(&w);
	return k;
}

/* The short options of e, as "-o" names, with whether they take a value. */
static void each_short(const struct cmd_entry *e,
    void (*fn)(void *arg, const char *name, int has_arg), void *arg)
{
	const char *p;
	char name[3] = "-?";

	for (p = e->shortopts; p && *p; p++) {
		if (*p == ':')
			continue;
		name[1] = *p;
		fn(arg, name, p[1] == ':');
	}
}

/* --- bash */

static void bash_reply(struct buf *b, const char *prog, enum kind k,
    const char *words)
{
	switch (k) {
	case K_NONE:
		buf_addstr(b, "COMPREPLY=()");
		break;
	case K_WORDS:
		buf_addf(b, "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", words);
		break;
	case K_FILE:
		buf_addf(b, "_%s_files", prog);
		break;
	case K_DIR:
		buf_addf(b, "_%s_dirs", prog);
		break;
	case K_BUNDLE:
	case K_DIR_BUNDLE:
		buf_addf(b, "_%s_bundles", prog);
		break;
	}
}

/* The value case of one option of command cmd: "cmd:--name) ...". */
static void bash_value(struct buf *b, const char *prog, const char *cmd,
    const char *dashes, const char *name)
{
	const char *words = NULL;
	enum kind k = value_kind(name, &words);

	buf_addf(b, "\t%s:%s%s) ", cmd, dashes, name);
	bash_reply(b, prog, k, words);
	buf_addstr(b, "; return ;;\n");
}

struct shorts {
	struct buf *b;
	const char *prog, *cmd;
	int values;		/* list the ones with values, not all */
};

static void short_word(void *arg, const char *name, int has_arg)
{
	struct shorts *s = arg;

	if (!s->values)
		buf_addf(s->b, " %s", name);
	else if (has_arg)
		bash_value(s->b, s->prog, s->cmd, "-", name + 1);
}

static void bash(const char *prog, const struct cmd_entry *const *table,
    struct buf *b)
{
	const struct cmd_entry *const *e;
	const struct option *o;
	struct shorts sh = { b, prog, NULL, 0 };

	buf_addf(b, "# bash completion for %s, written by '%s completion "
	    "bash'\n", prog, prog);
	buf_addf(b, "_%s_files() { compopt -o filenames 2>/dev/null; "
	    "COMPREPLY=($(compgen -f -- \"$cur\")); }\n", prog);
	buf_addf(b, "_%s_dirs() { compopt -o filenames 2>/dev/null; "
	    "COMPREPLY=($(compgen -d -- \"$cur\")); }\n", prog);
	buf_addf(b, "_%s_bundles() { compopt -o filenames 2>/dev/null; "
	    "COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -f -X '!*.tar.gz' "
	    "-- \"$cur\") $(compgen -f -X '!*.tgz' -- \"$cur\")); }\n", prog);
	buf_addf(b, "_%s() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	    "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal cmd=${COMP_WORDS[1]} opts=\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W '", prog);
	for (e = table; *e; e++)
		buf_addf(b, "%s ", (*e)->name);
	buf_addstr(b, "completion help' -- \"$cur\"))\n\t\treturn\n\tfi\n");
	buf_addstr(b, "\tcase $cmd in\n\tcompletion) COMPREPLY=($(compgen -W "
	    "'bash zsh' -- \"$cur\")); return ;;\n\thelp) COMPREPLY=($(compgen "
	    "-W '");
	for (e = table; *e; e++)
		buf_addf(b, "%s ", (*e)->name);
	buf_addstr(b, "' -- \"$cur\")); return ;;\n\tesac\n");
	/* A value: what the option before the cursor takes. */
	buf_addstr(b, "\tcase $cmd:$prev in\n");
	for (e = table; *e; e++) {
		for (o = (*e)->opts; o && o->name; o++)
			if (o->has_arg == required_argument)
				bash_value(b, prog, (*e)->name, "--", o->name);
		sh.cmd = (*e)->name;
		sh.values = 1;
		each_short(*e, short_word, &sh);
	}
	/* Else an option, or an operand. */
	buf_addstr(b, "\tesac\n\tcase $cmd in\n");
	for (e = table; *e; e++) {
		buf_addf(b, "\t%s) opts='", (*e)->name);
		for (o = (*e)->opts; o && o->name; o++)
			buf_addf(b, "%s--%s", o == (*e)->opts ? "" : " ",
			    o->name);
		sh.values = 0;
		each_short(*e, short_word, &sh);
		buf_addstr(b, "'\n\t\tcase $cur in -*) COMPREPLY=($(compgen -W "
		    "\"$opts\" -- \"$cur\")); return ;; esac\n\t\t");
		bash_reply(b, prog, operand_kind(*e), NULL);
		buf_addstr(b, " ;;\n");
	}
	buf_addf(b, "\tesac\n}\ncomplete -F _%s %s\n", prog, prog);
}

/* --- zsh */

/* s for a single-quoted zsh word, ':' escaped as _describe and
 * _arguments read it. */
static void zsh_quoted(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_addstr(b, "'\\''");
		else if (s[i] == ':' || s[i] == '[' || s[i] == ']')
			buf_addf(b, "\\%c", s[i]);
		else
			buf_addch(b, s[i]);
	}
}

static void zsh_action(struct buf *b, enum kind k, const char *words)
{
	switch (k) {
	case K_NONE: buf_addstr(b, ":value: "); break;
	case K_WORDS: buf_addf(b, ":value:(%s)", words); break;
	case K_FILE: buf_addstr(b, ":file:_files"); break;
	case K_DIR: buf_addstr(b, ":folder:_files -/"); break;
	case K_BUNDLE:
	case K_DIR_BUNDLE:
		buf_addstr(b, ":bundle:_files -g \"*.(tar.gz|tgz)(-.)\"");
		break;
	}
}

static void zsh_short(void *arg, const char *name, int has_arg)
{
	struct buf *b = arg;
	const char *words = NULL;

	buf_addf(b, " '%s%s", name, has_arg ? "+" : "");
	if (has_arg)
		zsh_action(b, value_kind(name + 1, &words), words);
	buf_addch(b, '\'');
}

static void zsh(const char *prog, const struct cmd_entry *const *table,
    struct buf *b)
{
	const struct cmd_entry *const *e;
	const struct option *o;
	const char *words = NULL;
	enum kind k;
	size_t n;

	buf_addf(b, "#compdef %s\n# zsh completion for %s, written by '%s "
	    "completion zsh'\n_%s() {\n\tlocal -a commands\n\tcommands=(\n",
	    prog, prog, prog, prog);
	for (e = table; *e; e++) {
		n = strcspn((*e)->help, ".\n");
		buf_addf(b, "\t\t'%s:", (*e)->name);
		zsh_quoted(b, (*e)->help, n);
		buf_addstr(b, "'\n");
	}
	buf_addstr(b, "\t\t'completion:a completion script for bash or zsh'\n"
	    "\t\t'help:a command'\\''s help'\n\t)\n"
	    "\tif (( CURRENT == 2 )); then\n"
	    "\t\t_describe -t commands command commands\n\t\treturn\n\tfi\n"
	    "\tlocal cmd=$words[2]\n\tshift words\n\t(( CURRENT-- ))\n"
	    "\tcase $cmd in\n"
	    "\tcompletion) _arguments ':shell:(bash zsh)' ;;\n"
	    "\thelp) _describe -t commands command commands ;;\n");
	for (e = table; *e; e++) {
		buf_addf(b, "\t%s) _arguments -s", (*e)->name);
		for (o = (*e)->opts; o && o->name; o++) {
			buf_addf(b, " '--%s%s", o->name,
			    o->has_arg == required_argument ? "=" : "");
			if (o->has_arg == required_argument) {
				k = value_kind(o->name, &words);
				zsh_action(b, k, words);
			}
			buf_addch(b, '\'');
		}
		each_short(*e, zsh_short, b);
		k = operand_kind(*e);
		if (k != K_NONE) {
			buf_addstr(b, " '*");
			zsh_action(b, k, NULL);
			buf_addch(b, '\'');
		}
		buf_addstr(b, " ;;\n");
	}
	buf_addf(b, "\tesac\n}\n_%s \"$@\"\n", prog);
}

int cmd_completion(const struct cmd_entry *const *table, const char *shell,
    struct err *err)
{
	struct buf b = BUF_INIT;

	if (shell && (!strcmp(shell, "--help") || !strcmp(shell, "-h"))) {
		printf("usage: %s completion bash|zsh\n\nPrint a completion "
		    "script for bash or zsh, written from the command\ntable: "
		    "source <(%s completion bash)\n", cmd_progname,
		    cmd_progname);
		return 0;
	}
	if (!shell || (strcmp(shell, "bash") && strcmp(shell, "zsh")))
		return err_set(err, ERR_INPUT, "completion: bash or zsh\n"
		    "usage: %s completion bash|zsh", cmd_progname);
	(shell[0] == 'b' ? bash : zsh)(cmd_progname, table, &b);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}
