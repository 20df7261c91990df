/* bench/gen.c - deterministic synthetic input for bench/bundle.sh.
 *
 *   gen DIR N_MIGRATIONS CSV_BYTES
 *
 * Writes DIR/NNNNN_mNNNNN.up.sql (~10 KB of CREATE TABLE / INSERT),
 * DIR/NNNNN_mNNNNN.down.sql (small) and DIR/seeds/default/events.csv
 * (~CSV_BYTES, streamed row by row). A fixed-seed xorshift PRNG makes the
 * output byte-identical on every run and with any compiler (random draws are
 * sequenced: never two in one call's arguments, whose order C leaves open). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static const char *W[] = {
    "user", "account", "order", "invoice", "payment", "item", "product", "customer", "session", "event",
    "audit", "tenant", "role", "permission", "address", "shipment", "warehouse", "stock", "price", "discount",
    "coupon", "review", "rating", "comment", "tag", "category", "vendor", "contract", "ledger", "entry",
    "balance", "currency", "region", "country", "city", "device", "token", "login", "report", "metric",
    "job", "queue", "task", "schedule", "note", "file", "blob", "image", "profile", "setting"};
#define NW (unsigned)(sizeof W / sizeof *W)
static const char *w(void) { return W[rn(NW)]; }

/* Column types; repeats weight the mix towards text and timestamps, since
 * numbers and UUIDs compress poorly and would push gzip's ratio below ~3x. */
static const struct { const char *sql; char kind; } T[] = {
    {"BIGINT", 'i'}, {"NUMERIC(12,2)", 'n'}, {"BOOLEAN", 'b'}, {"UUID", 'u'}, {"DATE", 'd'}, {"TEXT", 't'},
    {"TEXT", 't'}, {"TIMESTAMPTZ", 'T'}, {"TIMESTAMPTZ", 'T'}, {"VARCHAR(16)", 's'}, {"VARCHAR(32)", 's'}};
#define NT (unsigned)(sizeof T / sizeof *T)
static const char *S[] = {"active", "pending", "archived", "deleted", "draft", "failed"};
#define NS (unsigned)(sizeof S / sizeof *S)

static void die(const char *what, const char *path) {
    fprintf(stderr, "gen: %s %s: %s\n", what, path, errno ? strerror(errno) : "error");
    exit(1);
}
static void mkd(const char *p) { if (mkdir(p, 0755) && errno != EEXIST) die("mkdir", p); }
static FILE *open_w(const char *p) { FILE *f = fopen(p, "w"); if (!f) die("open", p); return f; }
static void close_w(FILE *f, const char *p) { if (ferror(f) | fclose(f)) die("write", p); }

/* strftime of t into f. Returns bytes written. */
static int stamp(FILE *f, const char *fmt, time_t t) {
    struct tm tm;
    char buf[64];
    return fprintf(f, "%.*s", (int)strftime(buf, sizeof buf, fmt, gmtime_r(&t, &tm)), buf);
}

/* One SQL literal for column type T[t]. Returns bytes written. */
static int value(FILE *f, unsigned t) {
    switch (T[t].kind) {
    case 'i': return fprintf(f, "%u", rn(1 + rn(5000)));
    case 'n': { unsigned v = rn(5000); return fprintf(f, "%u.%u9", v / 10, v % 10); }
    case 'b': return fprintf(f, "%s", rn(2) ? "TRUE" : "FALSE");
    case 'u': { uint64_t a = rnd(), b = rnd();
        return fprintf(f, "'%08x-%04x-4%03x-%04x-%012llx'", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
                       (unsigned)a & 0xfff, 0x8000 | ((unsigned)(b >> 48) & 0x3fff), (unsigned long long)b & 0xffffffffffffull); }
    case 'd': return stamp(f, "'%Y-%m-%d'", 1262304000 + (time_t)rn(15 * 365) * 86400);
    case 't': { const char *a = w(), *b = w(), *c = w(); return fprintf(f, "'%s %s %s'", a, b, c); }
    case 'T': return stamp(f, "'%Y-%m-%d %H:%M:%S+00'", 1704067200 + (time_t)rn(366 * 86400));
    default: return fprintf(f, "'%s'", S[rn(NS)]);
    }
}

static void migration(const char *dir, unsigned i) {
    char path[4096], table[64], col[16][48];
    unsigned type[16], nc = 4 + rn(9);
    const char *a = w(), *b = w();
    snprintf(table, sizeof table, "%s_%s_%u", a, b, i);
    for (unsigned c = 0; c < nc; c++) {
        a = w();
        b = w();
        snprintf(col[c], sizeof col[c], "%s_%s%u", a, b, c);
        type[c] = rn(NT);
    }

    snprintf(path, sizeof path, "%s/%05u_m%05u.up.sql", dir, i, i);
    FILE *f = open_w(path);
    long n = fprintf(f, "-- migration %05u: create %s\nBEGIN;\n\nCREATE TABLE IF NOT EXISTS %s (\n"
                        "    id BIGSERIAL PRIMARY KEY", i, table, table);
    for (unsigned c = 0; c < nc; c++)
        n += fprintf(f, ",\n    %s %s%s", col[c], T[type[c]].sql, rn(3) ? " NOT NULL" : "");
    n += fprintf(f, "\n);\n\nCREATE INDEX idx_%s_%s ON %s (%s);\n\nINSERT INTO %s (", table, col[0], table, col[0], table);
    for (unsigned c = 0; c < nc; c++) n += fprintf(f, "%s%s", c ? ", " : "", col[c]);
    n += fprintf(f, ") VALUES\n");
    for (long target = 8000 + rn(4000), row = 0; n < target; row++) {
        n += fprintf(f, "%s    (", row ? ",\n" : "");
        for (unsigned c = 0; c < nc; c++) {
            n += fprintf(f, "%s", c ? ", " : "");
            n += value(f, type[c]);
        }
        n += fprintf(f, ")");
    }
    fprintf(f, ";\n\nCOMMIT;\n");
    close_w(f, path);

    snprintf(path, sizeof path, "%s/%05u_m%05u.down.sql", dir, i, i);
    f = open_w(path);
    fprintf(f, "-- migration %05u: revert\nDROP INDEX IF EXISTS idx_%s_%s;\nDROP TABLE IF EXISTS %s;\n", i, table, col[0], table);
    close_w(f, path);
}

static void events_csv(const char *path, long long bytes) {
    static const char *K[] = {"order.created", "order.paid", "order.shipped", "user.login", "user.signup",
                              "invoice.sent", "payment.failed", "stock.adjusted"};
    static char buf[1 << 20];
    FILE *f = open_w(path);
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long long n = fprintf(f, "id,kind,payload,created_at\n");
    time_t ts = 1704067200; /* 2024-01-01T00:00:00Z */
    for (unsigned long id = 1; n < bytes; id++) {
        const char *kind = K[rn(8)], *a = w(), *b = w(), *c = w(), *d = w();
        unsigned ref = rn(1000000), cents = rn(1000000);
        n += fprintf(f, "%lu,%s,\"{\"\"%s_id\"\":%u,\"\"%s\"\":\"\"%s %s\"\",\"\"amount\"\":%u.%02u}\",", id, kind,
                     a, ref, b, c, d, cents / 100, cents % 100);
        n += stamp(f, "%Y-%m-%dT%H:%M:%SZ\n", ts += rn(30));
    }
    close_w(f, path);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR N_MIGRATIONS CSV_BYTES\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    unsigned nmig = (unsigned)strtoul(argv[2], NULL, 10);
    char path[4096];
    mkd(dir);
    for (unsigned i = 1; i <= nmig; i++) migration(dir, i);
    snprintf(path, sizeof path, "%s/seeds", dir);
    mkd(path);
    snprintf(path, sizeof path, "%s/seeds/default", dir);
    mkd(path);
    snprintf(path, sizeof path, "%s/seeds/default/events.csv", dir);
    events_csv(path, strtoll(argv[3], NULL, 10));
    return 0;
}
