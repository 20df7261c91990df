/* SQLite's catalog, as schema snapshots read it (schema.h). */
#include "schema.h"

/* Each table's parts come from its CREATE text and its indexes': while
 * those are the same, so are the parts, and a snapshot reuses them. */
const char sqlite_schema_tables_sql[] =
	"SELECT tbl_name, type || ' ' || name || ' ' || coalesce(sql, '') "
	"FROM sqlite_schema WHERE type IN ('table', 'index') AND "
	"tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY tbl_name, type, name";

/* One table's parts, ?1 its name. */
const char *const sqlite_schema_table_sql[] = {
	"SELECT 'table ' || ?1, NULL",
	/* columns: declared type (case aside), not null, default, key */
	"SELECT 'column ' || ?1 || '.' || p.name, lower(p.type) || "
	"CASE WHEN p.\"notnull\" THEN ' not null' ELSE '' END || "
	"CASE WHEN p.dflt_value IS NOT NULL THEN ' default ' || p.dflt_value "
	"ELSE '' END || CASE WHEN p.pk THEN ' primary key' ELSE '' END || "
	"CASE p.hidden WHEN 2 THEN ' generated' WHEN 3 THEN ' generated "
	"stored' ELSE '' END FROM pragma_table_xinfo(?1) p",
	/* foreign keys, by their columns */
	"SELECT 'constraint ' || ?1 || '.foreign key (' || "
	"group_concat(f.\"from\", ', ') || ')', 'references ' || f.\"table\" "
	"|| ' (' || group_concat(coalesce(f.\"to\", ''), ', ') || ') on "
	"update ' || f.on_update || ' on delete ' || f.on_delete "
	"FROM pragma_foreign_key_list(?1) f GROUP BY f.id",
	/* indexes: unique, columns, partial (SQL text for expressions) */
	"SELECT 'index ' || ?1 || '.' || l.name, "
	"CASE WHEN l.\"unique\" THEN 'unique ' ELSE '' END || '(' || "
	"(SELECT group_concat(coalesce(x.name, '<expression>') || "
	"CASE WHEN x.\"desc\" THEN ' desc' ELSE '' END, ', ') "
	"FROM pragma_index_xinfo(l.name) x WHERE x.\"key\") || ')' || "
	"CASE WHEN l.partial THEN ' where: ' || (SELECT lower(s.sql) FROM "
	"sqlite_schema s WHERE s.type = 'index' AND s.name = l.name) ELSE '' "
	"END FROM pragma_index_list(?1) l",
	NULL,
};

/* What belongs to no one table. */
const char *const sqlite_schema_sql[] = {
	"SELECT 'view ' || name, sql FROM sqlite_schema WHERE type = 'view'",
	"SELECT 'trigger ' || tbl_name || '.' || name, sql FROM sqlite_schema "
	"WHERE type = 'trigger'",
	NULL,
};
