/* PostgreSQL's catalogs, as schema snapshots read them (schema.h): every
 * schema but the system's, names qualified outside public, what an
 * extension owns left to the extension's line. */
#include "schema.h"

#define USER_NS(n) "(" n ".nspname NOT IN ('pg_catalog', " \
	"'information_schema') AND " n ".nspname NOT LIKE 'pg\\_toast%' AND " \
	n ".nspname NOT LIKE 'pg\\_temp\\_%')"
#define QUAL(n) "CASE WHEN " n ".nspname = 'public' THEN '' ELSE " n \
	".nspname || '.' END"
#define NOT_EXT(cls, oid) "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE " \
	"e.classid = '" cls "'::regclass AND e.objid = " oid " AND " \
	"e.deptype = 'e')"
#define REL_FROM "FROM pg_class c JOIN pg_namespace n ON n.oid = " \
	"c.relnamespace WHERE " USER_NS("n") " AND " NOT_EXT("pg_class", "c.oid")

const char *const pg_schema_sql[] = {
	"SELECT 'schema ' || n.nspname, NULL FROM pg_namespace n WHERE "
	USER_NS("n") " AND n.nspname <> 'public' AND "
	NOT_EXT("pg_namespace", "n.oid"),
	"SELECT 'extension ' || x.extname, NULL FROM pg_extension x "
	"WHERE x.extname <> 'plpgsql'",
	"SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN "
	"'materialized view ' WHEN 'S' THEN 'sequence ' ELSE 'table ' END || "
	QUAL("n") " || c.relname, CASE WHEN c.relkind IN ('v', 'm') THEN "
	"pg_get_viewdef(c.oid) END " REL_FROM " AND c.relkind IN ('r', 'p', "
	"'v', 'm', 'S') AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM "
	"pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = "
	"c.oid AND d.deptype IN ('a', 'i')))",
	"SELECT 'column ' || " QUAL("n") " || c.relname || '.' || a.attname, "
	"format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN "
	"' not null' ELSE '' END || CASE WHEN a.attidentity <> '' THEN "
	"' identity' WHEN a.attgenerated <> '' THEN ' generated ' || "
	"pg_get_expr(d.adbin, d.adrelid) WHEN d.adbin IS NOT NULL THEN "
	"' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END || "
	"CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT "
	"t.typcollation FROM pg_type t WHERE t.oid = a.atttypid) THEN "
	"' collate ' || (SELECT collname FROM pg_collation WHERE oid = "
	"a.attcollation) ELSE '' END "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d "
	"ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 "
	"AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm') AND "
	USER_NS("n") " AND " NOT_EXT("pg_class", "c.oid"),
	"SELECT 'constraint ' || " QUAL("n") " || c.relname || '.' || "
	"k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
	"JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON "
	"n.oid = c.relnamespace WHERE " USER_NS("n") " AND "
	NOT_EXT("pg_class", "c.oid"),
	"SELECT 'index ' || " QUAL("n") " || c.relname || '.' || i.relname, "
	"pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = "
	"x.indexrelid JOIN pg_class c ON c.oid = x.indrelid JOIN "
	"pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS("n")
	" AND " NOT_EXT("pg_class", "c.oid"),
	"SELECT 'trigger ' || " QUAL("n") " || c.relname || '.' || t.tgname, "
	"pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON "
	"c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE NOT t.tgisinternal AND " USER_NS("n"),
	"SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN "
	"'aggregate ' ELSE 'function ' END || " QUAL("n") " || p.proname || "
	"'(' || pg_get_function_identity_arguments(p.oid) || ')', CASE WHEN "
	"p.prokind = 'a' THEN NULL ELSE 'md5 ' || md5(pg_get_functiondef("
	"p.oid)) END FROM pg_proc p JOIN pg_namespace n ON n.oid = "
	"p.pronamespace WHERE " USER_NS("n") " AND " NOT_EXT("pg_proc", "p.oid"),
	"SELECT 'type ' || " QUAL("n") " || t.typname, CASE t.typtype "
	"WHEN 'e' THEN 'enum (' || (SELECT string_agg(e.enumlabel, ', ' "
	"ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) "
	"|| ')' WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, "
	"t.typtypmod) || coalesce(' default ' || t.typdefault, '') || CASE "
	"WHEN t.typnotnull THEN ' not null' ELSE '' END WHEN 'c' THEN "
	"'composite (' || (SELECT string_agg(a.attname || ' ' || "
	"format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM "
	"pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND "
	"NOT a.attisdropped) || ')' ELSE t.typtype::text END FROM pg_type t "
	"JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " USER_NS("n")
	" AND " NOT_EXT("pg_type", "t.oid") " AND (t.typtype IN ('e', 'd', "
	"'r', 'm') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c "
	"WHERE c.oid = t.typrelid) = 'c'))",
	NULL,
};
